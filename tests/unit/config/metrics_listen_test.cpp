// config `metrics.listen` (SPEC §6 "Watching"): loopback TCP or a Unix path, nothing else.
#include "config/metrics_listen.hpp"

#include <doctest/doctest.h>

#include "config/daemon_config.hpp"

using namespace traio;

namespace {

std::string error_of(std::string_view text) {
  auto parsed = parse_metrics_listen(text);
  REQUIRE_FALSE(static_cast<bool>(parsed));
  return parsed.error().message;
}

}  // namespace

TEST_CASE("metrics.listen takes a loopback address, localhost or a Unix socket path") {
  auto v4 = parse_metrics_listen("127.0.0.1:9101");
  REQUIRE(static_cast<bool>(v4));
  CHECK(std::get<MetricsTcp>(*v4).host == "127.0.0.1");
  CHECK(std::get<MetricsTcp>(*v4).port == 9101);
  auto other_loopback = parse_metrics_listen("127.8.9.10:1");
  REQUIRE(static_cast<bool>(other_loopback));
  auto v6 = parse_metrics_listen("[::1]:9101");
  REQUIRE(static_cast<bool>(v6));
  CHECK(std::get<MetricsTcp>(*v6).host == "::1");
  auto name = parse_metrics_listen("localhost:80");
  REQUIRE(static_cast<bool>(name));
  CHECK(std::get<MetricsTcp>(*name).host == "127.0.0.1");
  auto path = parse_metrics_listen("/run/traio/metrics.sock");
  REQUIRE(static_cast<bool>(path));
  CHECK(std::get<MetricsUnix>(*path).path == "/run/traio/metrics.sock");
}

TEST_CASE("metrics.listen refuses an address that is not loopback -- the endpoint has no authentication") {
  CHECK(error_of("0.0.0.0:9101").find("'0.0.0.0' is not a loopback address") == 0);
  CHECK(error_of("10.1.2.3:9101").find("'10.1.2.3' is not a loopback address") == 0);
  CHECK(error_of("[::]:9101").find("'::' is not a loopback address") == 0);
  CHECK(error_of("example.com:9101").find("'example.com' is not a loopback address") == 0);
}

TEST_CASE("metrics.listen refuses what is neither an address nor an absolute path") {
  CHECK(error_of("") == "expected a loopback HOST:PORT or an absolute socket path, got \"\"");
  CHECK(error_of("metrics.sock") == "expected HOST:PORT, got 'metrics.sock'");
  CHECK(error_of("127.0.0.1:0") == "port 0 is out of range 1..65535 in '127.0.0.1:0'");
  CHECK(error_of("/" + std::string(200, 'x')).find("at most 107 bytes") != std::string::npos);
}

TEST_CASE("daemon config: metrics.listen is kept as written, and a bad one is an error on its key path") {
  auto good = parse_daemon_config({{"metrics", {{"listen", "127.0.0.1:9101"}}}}, default_daemon_config());
  REQUIRE(std::holds_alternative<DaemonConfig>(good));
  CHECK(std::get<DaemonConfig>(good).metrics.listen == "127.0.0.1:9101");
  CHECK(default_daemon_config().metrics.listen.empty());

  auto bad = parse_daemon_config({{"metrics", {{"listen", 9101}, {"port", 1}}}}, default_daemon_config());
  REQUIRE(std::holds_alternative<ParseErrors>(bad));
  const auto& errors = std::get<ParseErrors>(bad);
  REQUIRE(errors.size() == 2);
  CHECK(format_parse_error(errors[0]) == "metrics.listen: expected string, got number");
  CHECK(format_parse_error(errors[1]) == "metrics.port: unknown field");
}
