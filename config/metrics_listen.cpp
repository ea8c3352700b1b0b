#include "config/metrics_listen.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "config/tcp_address.hpp"

namespace traio {

namespace {

Error bad(std::string message) { return Error{ErrorCode::InvalidRequest, std::move(message)}; }

bool is_loopback(const std::string& host) {
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6) != 0;
  return false;
}

}  // namespace

Expected<MetricsListen> parse_metrics_listen(std::string_view text) {
  if (text.empty()) return bad("expected a loopback HOST:PORT or an absolute socket path, got \"\"");
  if (text.front() == '/') {
    if (text.find('\0') != std::string_view::npos) return bad("the path contains a NUL byte");
    // sun_path holds 108 bytes with the terminating NUL.
    if (text.size() > 107) return bad(fmt::format("a Unix socket path may have at most 107 bytes, got {}", text.size()));
    return MetricsListen{MetricsUnix{std::string(text)}};
  }
  auto address = parse_tcp_address(text);
  if (!address) return address.error();
  // A name could resolve anywhere; localhost is the one name every host keeps on loopback.
  if (address->host == "localhost") address->host = "127.0.0.1";
  if (!is_loopback(address->host))
    return bad(fmt::format("'{}' is not a loopback address: the metrics endpoint has no authentication, so it "
                           "listens on 127.0.0.1, [::1] or a Unix socket path only (put a proxy in front to "
                           "serve it further)",
                           address->host));
  return MetricsListen{MetricsTcp{address->host, address->port}};
}

}  // namespace traio
