#pragma once
// A JSON writer that appends to a string: big replies (ps of 10,000 nodes) are written
// straight into the reply line instead of being built as nlohmann objects and dumped.
// Its bytes are those of nlohmann's dump(-1, ' ', false, error_handler_t::replace), so
// that clients see no difference; the caller writes object keys in sorted order, as
// nlohmann's std::map objects do.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/core/time.hpp"

namespace traio {

class JsonText {
 public:
  explicit JsonText(std::string& out) : out_(out) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);  // a plain ASCII name: written as it is

  // Values: inside an array each is one element; after key() the member's value.
  void string(std::string_view text);
  void integer(std::int64_t value);
  void boolean(bool value);
  void null();
  void time(WallTime at);  // RFC 3339 (time_format.hpp), a string
  void json(const nlohmann::json& value);  // a small nlohmann value (a spec), dumped in place

 private:
  void separate();  // the comma before an element or member that is not the first

  std::string& out_;
  bool need_comma_ = false;
};

// `text` as a JSON string, quotes included, exactly as nlohmann dumps it.
void append_json_string(std::string& out, std::string_view text);

}  // namespace traio
