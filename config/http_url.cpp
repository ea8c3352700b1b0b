#include "config/http_url.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace traio {

namespace {

constexpr std::string_view kScheme = "http://";
constexpr std::size_t kMaxUrl = 2048;

Error bad(std::string message) { return Error{ErrorCode::InvalidRequest, std::move(message)}; }

bool is_loopback_v4(const std::string& host) {
  in_addr address{};
  return ::inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

Expected<std::uint16_t> parse_port(std::string_view port, std::string_view url) {
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
    return bad(fmt::format("port '{}' is not a number in '{}'", port, url));
  unsigned long value = std::stoul(std::string(port));
  if (value < 1 || value > 65535) return bad(fmt::format("port {} is out of range 1..65535 in '{}'", port, url));
  return static_cast<std::uint16_t>(value);
}

// Control characters and spaces would break the request line or smuggle headers.
bool has_unsafe_char(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

}  // namespace

Expected<HttpUrl> parse_local_http_url(std::string_view text) {
  if (starts_with_ci(text, "https://"))
    return bad(fmt::format("'{}': https is not supported (the probe speaks plain HTTP); use http://", text));
  if (!starts_with_ci(text, kScheme))
    return bad(fmt::format("'{}' is not an http:// URL (expected http://HOST[:PORT][/PATH])", text));
  if (text.size() > kMaxUrl) return bad(fmt::format("URL longer than {} bytes", kMaxUrl));
  if (has_unsafe_char(text)) return bad(fmt::format("'{}' contains a space or a control character", text));
  std::string_view rest = text.substr(kScheme.size());
  const std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  HttpUrl url;
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.target.front() == '?') url.target.insert(0, "/");
  if (url.target.find('#') != std::string::npos) url.target.erase(url.target.find('#'));
  if (authority.find('@') != std::string_view::npos)
    return bad(fmt::format("'{}': user information in the URL is not supported", text));
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad(fmt::format("'[' without a closing ']' in '{}'", text));
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad(fmt::format("expected ':PORT' after ']' in '{}'", text));
    if (!after.empty()) port = after.substr(1);
    if (url.host != "::1")
      return bad(fmt::format("'{}': the host must be local (127.0.0.0/8, [::1] or localhost), got [{}]", text,
                             url.host));
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (colon != std::string_view::npos && port.empty())
      return bad(fmt::format("missing port after ':' in '{}'", text));
    std::transform(url.host.begin(), url.host.end(), url.host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (url.host.empty()) return bad(fmt::format("'{}' has no host", text));
    if (url.host != "localhost" && !is_loopback_v4(url.host))
      return bad(fmt::format("'{}': the host must be local (127.0.0.0/8, [::1] or localhost), got '{}'", text,
                             url.host));
  }
  if (!port.empty()) {
    auto number = parse_port(port, text);
    if (!number) return number.error();
    url.port = *number;
  }
  url.host_header = std::string(authority);
  return url;
}

}  // namespace traio
