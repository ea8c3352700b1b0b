#include "common/protocol.hpp"

#include <fmt/format.h>

namespace traio {

namespace {

using nlohmann::json;

Error invalid(std::string message) { return Error{ErrorCode::InvalidRequest, std::move(message)}; }

// An integer that fits int64 (nlohmann keeps large positive numbers as unsigned).
std::optional<std::int64_t> as_int64(const json& value) {
  if (value.is_number_integer() && !value.is_number_unsigned()) return value.get<std::int64_t>();
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(value.get<std::uint64_t>());
  return std::nullopt;
}

// Invalid UTF-8 in a message (a path a client sent, a log line) must not make dump() throw.
std::string dump_line(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace) + '\n';
}

}  // namespace

Expected<Request> parse_request(const json& line, std::int64_t& id_out) {
  id_out = 0;
  if (!line.is_object()) return invalid("a request must be a JSON object");
  // The id first, so even a bad envelope gets an error reply the client can match.
  auto id_it = line.find("id");
  if (id_it == line.end()) return invalid("missing 'id'");
  auto id = as_int64(*id_it);
  if (!id) return invalid("'id' must be an integer");
  id_out = *id;

  auto v_it = line.find("v");
  if (v_it == line.end()) return invalid("missing 'v' (the protocol version, 1)");
  if (!v_it->is_number_integer()) return invalid("'v' must be an integer");
  if (auto v = as_int64(*v_it); !v || *v != kProtocolVersion)
    return Error{ErrorCode::UnsupportedVersion,
                 fmt::format("protocol version {} is not supported (this daemon speaks {})",
                             v_it->dump(), kProtocolVersion)};

  for (const auto& [key, value] : line.items())
    if (key != "v" && key != "id" && key != "op" && key != "args")
      return invalid(fmt::format("unknown field '{}' in request", key));

  Request request;
  request.id = *id;
  auto op_it = line.find("op");
  if (op_it == line.end()) return invalid("missing 'op'");
  if (!op_it->is_string() || op_it->get_ref<const std::string&>().empty())
    return invalid("'op' must be a non-empty string");
  request.op = op_it->get<std::string>();
  if (auto args_it = line.find("args"); args_it != line.end()) {
    if (!args_it->is_object()) return invalid("'args' must be an object");
    request.args = *args_it;
  }
  return request;
}

std::string encode_request(const Request& request) {
  return dump_line(json{{"v", kProtocolVersion}, {"id", request.id}, {"op", request.op}, {"args", request.args}});
}

std::string encode_ok(std::int64_t id, const json& result) {
  std::string line = encode_ok_head(id);
  line += result.dump(-1, ' ', false, json::error_handler_t::replace);
  line += kOkReplyTail;
  return line;
}

std::string encode_ok_head(std::int64_t id) { return fmt::format("{{\"id\":{},\"ok\":true,\"result\":", id); }

std::string encode_error(std::int64_t id, const Error& error) {
  return dump_line(json{{"id", id},
                        {"ok", false},
                        {"error", {{"code", to_string(error.code)}, {"message", error.message}}}});
}

std::string encode_event(std::int64_t id, const json& event) {
  return dump_line(json{{"id", id}, {"event", event}});
}

}  // namespace traio
