#pragma once
// The JSON a node was submitted with (for inspect and the journal), kept as its compact text.
// A parsed object is a std::map of json values: measured with 1000 live jobs it held about
// 700 bytes a job in a dozen small blocks; its text is about 100 bytes in one. It is read back
// rarely (inspect of one node, a journal record), so parsing it then costs little.
#include <string>

#include <nlohmann/json.hpp>

namespace traio {

class SpecSource {
 public:
  SpecSource() = default;
  explicit SpecSource(const nlohmann::json& json) { *this = json; }
  SpecSource& operator=(const nlohmann::json& json);

  bool is_null() const { return text_.empty(); }
  // Compact JSON ("" for none): what json() parses.
  const std::string& text() const { return text_; }
  // The spec as JSON; null when there is none.
  nlohmann::json json() const;
  // So that code written for a json member reads it as before.
  operator nlohmann::json() const { return json(); }  // NOLINT(google-explicit-constructor)

 private:
  std::string text_;
};

}  // namespace traio
