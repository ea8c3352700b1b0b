#pragma once
// The little HTTP/1.1 the metrics endpoint speaks (SPEC §6 "Watching"): it reads a request
// head, answers once and closes. Pure functions, so that garbage heads are tested without
// sockets (tests/unit/server/http_request_head_test.cpp).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace traio {

// The largest request head read; a longer one is answered 431.
inline constexpr std::size_t kMaxRequestHead = 8192;

// Where the head ends (the index just past its blank line: CRLF CRLF, or LF LF from a
// lenient client), or nullopt when it has not ended yet.
std::optional<std::size_t> find_head_end(std::string_view bytes);

struct HttpAnswer {
  int status = 400;
  bool with_body = true;  // false for HEAD
};

// What GET /metrics (200), HEAD /metrics (200 without body), another path (404), another
// method (405) or a malformed request line (400, or 505 for a version other than 1.x) gets.
// Only the request line matters; header lines are read and ignored.
HttpAnswer judge_request_head(std::string_view head);

std::string_view reason_phrase(int status);

// A whole response: status line, Content-Type, Content-Length, Connection: close, and the
// body unless `answer.with_body` is false (its length is still announced, as for HEAD).
std::string http_response(const HttpAnswer& answer, std::string_view content_type, std::string_view body);

}  // namespace traio
