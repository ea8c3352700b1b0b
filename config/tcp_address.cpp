#include "config/tcp_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace traio {

namespace {

constexpr std::size_t kMaxHostName = 253;  // RFC 1035
constexpr std::size_t kMaxLabel = 63;

Error bad(std::string message) { return Error{ErrorCode::InvalidRequest, std::move(message)}; }

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Labels of letters, digits, '-' and '_' (service names in containers often have one),
// separated by dots, neither starting nor ending with '-'.
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostName) return false;
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label)
      if (std::isalnum(c) == 0 && c != '-' && c != '_') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
  return false;
}

bool is_address(int family, std::string_view host) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return ::inet_pton(family, std::string(host).c_str(), buffer) == 1;
}

Expected<std::uint16_t> parse_port(std::string_view port, std::string_view text) {
  if (port.empty()) return bad(fmt::format("missing port after ':' in '{}'", text));
  if (!is_digits(port)) return bad(fmt::format("port '{}' is not a number in '{}'", port, text));
  unsigned long value = port.size() > 5 ? 0 : std::stoul(std::string(port));
  if (value < 1 || value > 65535) return bad(fmt::format("port {} is out of range 1..65535 in '{}'", port, text));
  return static_cast<std::uint16_t>(value);
}

Expected<TcpAddress> parse_bracketed(std::string_view text) {
  std::size_t close = text.find(']');
  if (close == std::string_view::npos) return bad(fmt::format("'[' without a closing ']' in '{}'", text));
  std::string_view host = text.substr(1, close - 1);
  if (!is_address(AF_INET6, host)) return bad(fmt::format("'{}' is not an IPv6 address", host));
  std::string_view rest = text.substr(close + 1);
  if (rest.empty() || rest.front() != ':') return bad(fmt::format("expected ':PORT' after ']' in '{}'", text));
  auto port = parse_port(rest.substr(1), text);
  if (!port) return port.error();
  return TcpAddress{std::string(host), *port};
}

}  // namespace

Expected<TcpAddress> parse_tcp_address(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return bad("the address contains a NUL byte");
  if (!text.empty() && text.front() == '[') return parse_bracketed(text);
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad(fmt::format("expected HOST:PORT, got '{}'", text));
  std::string_view host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos)
    return bad(fmt::format("an IPv6 address needs brackets, as in '[::1]:80', got '{}'", text));
  if (host.empty()) return bad(fmt::format("missing host before ':' in '{}'", text));
  // All digits and dots is meant as IPv4: "10.0.0.256" must not pass as a host name.
  bool looks_numeric = std::all_of(host.begin(), host.end(), [](unsigned char c) { return std::isdigit(c) || c == '.'; });
  if (looks_numeric ? !is_address(AF_INET, host) : !is_host_name(host))
    return bad(fmt::format("'{}' is not a valid {}", host, looks_numeric ? "IPv4 address" : "host name"));
  auto port = parse_port(text.substr(colon + 1), text);
  if (!port) return port.error();
  return TcpAddress{std::string(host), *port};
}

}  // namespace traio
