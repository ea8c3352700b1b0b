#pragma once
// Reading fields of user-written JSON into values while collecting errors with their JSON
// path ("children[2].timeout: expected string, got boolean"). Shared by the job/tree parser
// and the daemon config parser. Each reader returns nullopt after recording its error.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/duration.hpp"
#include "config/parse_error.hpp"

namespace traio {

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string field_path(std::string_view base, std::string_view key);
// "children" + 2 -> "children[2]".
std::string index_path(std::string_view base, std::size_t index);

class FieldErrors {
 public:
  explicit FieldErrors(ParseErrors& errors) : errors_(errors) {}
  void add(std::string path, std::string message) { errors_.push_back({std::move(path), std::move(message)}); }
  // "expected string, got number"
  void wrong_type(const std::string& path, std::string_view expected, const nlohmann::json& got);
  std::size_t count() const { return errors_.size(); }

 private:
  ParseErrors& errors_;
};

// Short JSON text of a value for messages, cut at ~40 characters.
std::string json_excerpt(const nlohmann::json& value);

std::optional<std::string> read_string(const nlohmann::json& v, const std::string& path, FieldErrors& e);
std::optional<bool> read_bool(const nlohmann::json& v, const std::string& path, FieldErrors& e);
// An integer in [min, max]; "expected integer >= 0, got -1" otherwise.
std::optional<std::int64_t> read_int(const nlohmann::json& v, const std::string& path, FieldErrors& e,
                                     std::int64_t min, std::int64_t max);
// A duration string ("1h30m") or a number of seconds, at least `min`.
std::optional<Duration> read_duration(const nlohmann::json& v, const std::string& path, FieldErrors& e,
                                      Duration min = Duration(0));
// "TERM", "SIGTERM", "term" or 15.
std::optional<int> read_signal(const nlohmann::json& v, const std::string& path, FieldErrors& e);
// "10MiB" or a number of bytes, at least `min`.
std::optional<std::uint64_t> read_byte_size(const nlohmann::json& v, const std::string& path, FieldErrors& e,
                                            std::uint64_t min = 0);
// A string holding an absolute path without NUL bytes.
std::optional<std::string> read_abs_path(const nlohmann::json& v, const std::string& path, FieldErrors& e);
// A string "host:port" (config/tcp_address.hpp), kept as written.
std::optional<std::string> read_tcp_address(const nlohmann::json& v, const std::string& path, FieldErrors& e);
// A string naming a user or group account: a name as useradd(8) takes it
// ([a-z_][a-z0-9_-]*[$]?, at most 32 characters) or a decimal id. `what` is "user" or
// "group", for the message. Whether the account exists is the daemon's question.
std::optional<std::string> read_account(const nlohmann::json& v, const std::string& path, FieldErrors& e,
                                        std::string_view what);

// Checks that `v` is an object; records "expected object, got ..." otherwise.
bool expect_object(const nlohmann::json& v, const std::string& path, FieldErrors& e);

// Calls read(key, value, key_path) for each member of the object `v`; a member that
// `read` does not know (it returns false) is an "unknown field" error.
template <class Read>
void for_each_field(const nlohmann::json& v, const std::string& path, FieldErrors& e, Read&& read) {
  if (!expect_object(v, path, e)) return;
  for (const auto& [key, value] : v.items()) {
    std::string key_path = field_path(path, key);
    if (!read(std::string_view(key), value, key_path)) e.add(key_path, "unknown field");
  }
}

}  // namespace traio
