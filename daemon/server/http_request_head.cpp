#include "daemon/server/http_request_head.hpp"

#include <fmt/format.h>

namespace traio {

namespace {

constexpr std::string_view kMetricsPath = "/metrics";

// RFC 9110 tokens: what a method may be made of.
bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// A request target in origin form: '/' then visible ASCII, no spaces or control bytes.
bool is_origin_target(std::string_view text) {
  if (text.empty() || text.front() != '/') return false;
  for (unsigned char c : text)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

}  // namespace

std::optional<std::size_t> find_head_end(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') return i + 2;
    if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

HttpAnswer judge_request_head(std::string_view head) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const auto first = line.find(' ');
  const auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos || line.find(' ', second + 1) != std::string_view::npos) return {400};
  const std::string_view method = line.substr(0, first);
  const std::string_view target = line.substr(first + 1, second - first - 1);
  const std::string_view version = line.substr(second + 1);
  if (!is_token(method) || !is_origin_target(target)) return {400};
  if (version.substr(0, 5) != "HTTP/" || version.size() != 8 || version[6] != '.') return {400};
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return {505};
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != kMetricsPath) return {404};
  if (method == "GET") return {200, true};
  if (method == "HEAD") return {200, false};
  return {405};
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

std::string http_response(const HttpAnswer& answer, std::string_view content_type, std::string_view body) {
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n", answer.status,
      reason_phrase(answer.status), content_type, body.size(), answer.status == 405 ? "Allow: GET, HEAD\r\n" : "");
  if (answer.with_body) out += body;
  return out;
}

}  // namespace traio
