#include "config/daemon_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <doctest/doctest.h>

using namespace traio;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

DaemonConfig config_ok(const json& doc, DaemonConfig base = default_daemon_config()) {
  auto r = parse_daemon_config(doc, std::move(base));
  if (auto* errors = std::get_if<ParseErrors>(&r)) FAIL(format_parse_errors(*errors));
  return std::get<DaemonConfig>(r);
}

std::vector<std::string> errors_of(const json& doc) {
  auto r = parse_daemon_config(doc, default_daemon_config());
  REQUIRE(std::holds_alternative<ParseErrors>(r));
  std::vector<std::string> out;
  for (const ParseError& e : std::get<ParseErrors>(r)) out.push_back(format_parse_error(e));
  return out;
}

bool has(const std::vector<std::string>& errors, const std::string& text) {
  return std::find(errors.begin(), errors.end(), text) != errors.end();
}

// Sets an environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("daemon config: the SPEC §4 example parses") {
  DaemonConfig c = config_ok(json::parse(R"({
    "socket": {"path": "/run/traio/traio.sock", "mode": "0660", "group": "traio"},
    "state_dir": "/var/lib/traio", "log_dir": "/var/log/traio",
    "logs": {"max_bytes": "10MiB", "keep": 5},
    "history": 1000,
    "defaults": {"stop": {"signal": "TERM", "grace": "10s"},
                 "restart": {"backoff": {"initial": "100ms", "max": "1m"}}},
    "limits": {"request_bytes": "1MiB", "depth": 64, "connections": 128, "nodes": 100000},
    "boot_dir": "/etc/traio/boot.d",
    "log_level": "info"})"));
  CHECK(c.socket.path == "/run/traio/traio.sock");
  CHECK(c.socket.mode == 0660);
  CHECK(c.socket.group == "traio");
  CHECK(c.state_dir == "/var/lib/traio");
  CHECK(c.log_dir == "/var/log/traio");
  CHECK(c.logs.max_bytes == 10u << 20);
  CHECK(c.logs.keep == 5);
  CHECK(c.history == 1000);
  CHECK(c.defaults.stop_signal == 15);
  CHECK(c.defaults.stop_grace == 10s);
  CHECK(c.defaults.backoff_initial == 100ms);
  CHECK(c.defaults.backoff_max == 1min);
  CHECK(c.limits.request_bytes == 1u << 20);
  CHECK(c.limits.depth == 64);
  CHECK(c.limits.connections == 128);
  CHECK(c.limits.nodes == 100000);
  CHECK(c.boot_dir == "/etc/traio/boot.d");
  CHECK(c.log_level == LogLevel::Info);
}

TEST_CASE("daemon config: an empty document keeps every default -- keys override one by one") {
  DaemonConfig base = default_daemon_config();
  DaemonConfig c = config_ok(json::object());
  CHECK(c.socket.path == base.socket.path);
  CHECK(c.limits.depth == 64);
  DaemonConfig d = config_ok({{"log_level", "debug"}, {"limits", {{"depth", 8}}}, {"socket", {{"mode", "600"}}}});
  CHECK(d.log_level == LogLevel::Debug);
  CHECK(d.limits.depth == 8);
  CHECK(d.limits.connections == 128);
  CHECK(d.socket.mode == 0600);
  CHECK(config_ok({{"logs", {{"max_bytes", 65536}}}}).logs.max_bytes == 65536);
  CHECK(config_ok({{"defaults", {{"stop", {{"grace", 2}, {"signal", 2}}}}}}).defaults.stop_grace == 2s);
}

TEST_CASE("daemon config: unknown keys and wrong types name the key path, all collected") {
  auto errs = errors_of(json::parse(R"({
    "sockets": {}, "socket": {"mode": 660, "owner": "x"}, "history": -1,
    "logs": {"keep": "5", "max_bytes": "10 parsecs"},
    "limits": {"depth": 100000, "request_bytes": "1TiB", "connections": 0, "nodes": 1.5},
    "defaults": {"stop": {"signal": "NOPE"}, "restart": {"backoff": {"initial": "0s", "jitter": 1}, "max": 3}},
    "state_dir": "relative", "log_level": "verbose", "metrics": {"listen": "10.0.0.1:9101"}})"));
  CHECK(has(errs, "sockets: unknown field"));
  CHECK(has(errs, "socket.mode: expected octal string like \"0660\", got number"));
  CHECK(has(errs, "socket.owner: unknown field"));
  CHECK(has(errs, "history: expected integer 0..10000000, got -1"));
  CHECK(has(errs, "logs.keep: expected integer 0..1000, got string"));
  CHECK(has(errs, "logs.max_bytes: unknown unit 'parsecs' in size '10 parsecs' (use B, kB, MB, GB, KiB, MiB, GiB or TiB)"));
  CHECK(has(errs, "limits.depth: expected integer 4..1024, got 100000"));
  CHECK(has(errs, "limits.request_bytes: must be at most 1GiB, got \"1TiB\""));
  CHECK(has(errs, "limits.connections: expected integer 1..65536, got 0"));
  CHECK(has(errs, "limits.nodes: expected integer 1..10000000, got 1.5"));
  CHECK(has(errs, "defaults.stop.signal: unknown signal 'NOPE' (e.g. TERM, SIGINT, kill or 15)"));
  CHECK(has(errs, "defaults.restart.backoff.initial: must be at least 1ms, got \"0s\" (0s)"));
  CHECK(has(errs, "defaults.restart.backoff.jitter: unknown field"));
  CHECK(has(errs, "defaults.restart.max: unknown field"));
  CHECK(has(errs, "state_dir: must be an absolute path, got \"relative\""));
  CHECK(has(errs, "log_level: expected \"debug\", \"info\", \"warning\" or \"error\", got \"verbose\""));
  CHECK(has(errs, "metrics.listen: '10.0.0.1' is not a loopback address: the metrics endpoint has no "
                  "authentication, so it listens on 127.0.0.1, [::1] or a Unix socket path only (put a proxy in "
                  "front to serve it further)"));
  CHECK(errs.size() == 17);
  CHECK(has(errors_of(json::array()), "expected object, got array"));
  CHECK(has(errors_of({{"socket", "/x"}}), "socket: expected object, got string"));
  CHECK(has(errors_of({{"socket", {{"mode", "0999"}}}}), "socket.mode: expected octal string like \"0660\", got \"0999\""));
}

TEST_CASE("daemon config: applied key by key, a bad key keeps its default and the good ones still apply") {
  DaemonConfig config = default_daemon_config();
  const std::string default_socket = config.socket.path;
  auto errors = apply_daemon_config(json{{"history", 9}, {"socket", {{"path", "relative"}}}, {"boot_dir", "/b"}}, config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "socket.path");
  CHECK(config.history == 9);
  CHECK(config.boot_dir == "/b");
  CHECK(config.socket.path == default_socket);
}

TEST_CASE("daemon config: backoff initial may not exceed max") {
  CHECK(has(errors_of({{"defaults", {{"restart", {{"backoff", {{"initial", "2m"}}}}}}}}),
            "defaults.restart.backoff.initial: must not exceed backoff.max (2m > 1m)"));
}

TEST_CASE("daemon config: a derived log_dir follows state_dir") {
  DaemonConfig base;
  base.state_dir = "/home/u/.local/state/traio";
  base.log_dir = base.state_dir + "/logs";
  DaemonConfig c = config_ok({{"state_dir", "/srv/traio"}}, base);
  CHECK(c.log_dir == "/srv/traio/logs");
  DaemonConfig d = config_ok({{"state_dir", "/srv/traio"}, {"log_dir", "/var/log/t"}}, base);
  CHECK(d.log_dir == "/var/log/t");
  base.log_dir = "/var/log/traio";  // as for root: independent of state_dir
  CHECK(config_ok({{"state_dir", "/srv/traio"}}, base).log_dir == "/var/log/traio");
}

TEST_CASE("daemon config: defaults for a non-root user follow XDG and fall back without it") {
  if (::geteuid() == 0) {
    DaemonConfig c = default_daemon_config();
    CHECK(c.socket.path == "/run/traio/traio.sock");
    CHECK(c.state_dir == "/var/lib/traio");
    CHECK(c.log_dir == "/var/log/traio");
    CHECK(c.boot_dir == "/etc/traio/boot.d");
    return;
  }
  ScopedEnv home("HOME", "/home/tester");
  ScopedEnv state("XDG_STATE_HOME", nullptr);
  ScopedEnv config("XDG_CONFIG_HOME", nullptr);
  {
    ScopedEnv runtime("XDG_RUNTIME_DIR", "/run/user/4242");
    DaemonConfig c = default_daemon_config();
    CHECK(c.socket.path == "/run/user/4242/traio.sock");
    CHECK(c.state_dir == "/home/tester/.local/state/traio");
    CHECK(c.log_dir == "/home/tester/.local/state/traio/logs");
    CHECK(c.boot_dir == "/home/tester/.config/traio/boot.d");
  }
  ScopedEnv runtime("XDG_RUNTIME_DIR", nullptr);
  CHECK(default_daemon_config().socket.path == "/tmp/traio-" + std::to_string(::getuid()) + "/traio.sock");
}

TEST_CASE("daemon config: log levels round-trip") {
  for (const char* s : {"debug", "info", "warning", "error"}) {
    auto level = log_level_from_string(s);
    REQUIRE(level.has_value());
    CHECK(to_string(*level) == s);
  }
  CHECK_FALSE(log_level_from_string("warn").has_value());
}
