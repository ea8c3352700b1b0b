#pragma once
// The wire protocol (SPEC §5, docs/protocol.md): NDJSON requests, replies and stream events.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.hpp"

namespace traio {

inline constexpr int kProtocolVersion = 1;

struct Request {
  std::int64_t id = 0;
  std::string op;
  nlohmann::json args = nlohmann::json::object();
};

// Validates the envelope {"v":1,"id":N,"op":"...","args":{...}}. On failure the Error carries
// invalid_request or unsupported_version; `id_out` gets the id when one could be read, so the
// error reply can still be matched.
Expected<Request> parse_request(const nlohmann::json& line, std::int64_t& id_out);

std::string encode_request(const Request& request);                   // one line, '\n' ended
std::string encode_ok(std::int64_t id, const nlohmann::json& result);  // one line, '\n' ended
// An ok reply is encode_ok_head(id) + the result's JSON + kOkReplyTail: keys sort as "id",
// "ok", "result", so the result comes last. Big results (ps) are written between the two
// without a DOM, and traioctl --json prints the result's bytes without parsing them.
std::string encode_ok_head(std::int64_t id);  // {"id":N,"ok":true,"result":
inline constexpr std::string_view kOkReplyTail = "}\n";
std::string encode_error(std::int64_t id, const Error& error);        // one line, '\n' ended
std::string encode_event(std::int64_t id, const nlohmann::json& event);

}  // namespace traio
