#pragma once
// Where traiod serves its metrics over HTTP (SPEC §6 "Watching", config `metrics.listen`):
// a loopback TCP address or a Unix socket path. The endpoint has no authentication, so a
// TCP address must be a loopback one: anything else is refused in the config.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/expected.hpp"

namespace traio {

struct MetricsTcp {
  std::string host;  // a numeric loopback address ("127.0.0.1", "::1"); "localhost" becomes 127.0.0.1
  std::uint16_t port = 0;
};
struct MetricsUnix {
  std::string path;  // absolute
};
using MetricsListen = std::variant<MetricsTcp, MetricsUnix>;

// "127.0.0.1:9101", "[::1]:9101", "localhost:9101" or "/run/traio/metrics.sock". Errors say
// what is wrong and what would do.
Expected<MetricsListen> parse_metrics_listen(std::string_view text);

}  // namespace traio
