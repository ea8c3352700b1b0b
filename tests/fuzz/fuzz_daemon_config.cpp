// libFuzzer target: a daemon config file's bytes (traiod --config, /etc/traio/traiod.json),
// through apply_daemon_config_text as daemon_options.cpp reads them.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "common/signal_name.hpp"
#include "config/daemon_config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace traio;

namespace {

bool is_absolute(const std::string& path) { return !path.empty() && path.front() == '/'; }

// A key that is refused keeps its default, so the result is in range whatever the file said.
void check_in_range(const DaemonConfig& c) {
  FUZZ_CHECK(is_absolute(c.socket.path), c.socket.path);
  FUZZ_CHECK(is_absolute(c.state_dir), c.state_dir);
  FUZZ_CHECK(is_absolute(c.log_dir), c.log_dir);
  FUZZ_CHECK(is_absolute(c.boot_dir), c.boot_dir);
  FUZZ_CHECK(c.socket.mode <= 07777, "socket.mode");
  FUZZ_CHECK(c.logs.max_bytes >= 4096, "logs.max_bytes");
  FUZZ_CHECK(c.logs.keep <= 1000, "logs.keep");
  FUZZ_CHECK(c.history <= 10'000'000, "history");
  FUZZ_CHECK(c.limits.request_bytes >= 1024 && c.limits.request_bytes <= (1ull << 30), "limits.request_bytes");
  FUZZ_CHECK(c.limits.depth >= 4 && c.limits.depth <= 1024, "limits.depth");
  FUZZ_CHECK(c.limits.connections >= 1 && c.limits.connections <= 65536, "limits.connections");
  FUZZ_CHECK(c.limits.nodes >= 1 && c.limits.nodes <= 10'000'000, "limits.nodes");
  FUZZ_CHECK(signal_from_number(c.defaults.stop_signal).ok(), "defaults.stop.signal");
  FUZZ_CHECK(c.defaults.stop_grace >= Duration(0) && c.defaults.stop_grace <= kMaxDuration, "stop.grace");
  FUZZ_CHECK(c.defaults.backoff_initial >= Duration(1) && c.defaults.backoff_initial <= kMaxDuration,
             "backoff.initial");
  FUZZ_CHECK(c.defaults.backoff_max >= Duration(1) && c.defaults.backoff_max <= kMaxDuration, "backoff.max");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The defaults read the environment and the uid: once, not on every input.
  static const DaemonConfig defaults = default_daemon_config();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  DaemonConfig config = defaults;
  const ParseErrors errors = apply_daemon_config_text(text, config);
  for (const ParseError& e : errors) FUZZ_CHECK(!e.message.empty(), e.path);
  check_in_range(config);
  if (errors.empty()) FUZZ_CHECK(config.defaults.backoff_initial <= config.defaults.backoff_max, "backoff");

  // The same text applied twice says the same: no state hides between calls.
  DaemonConfig again = defaults;
  FUZZ_CHECK(apply_daemon_config_text(text, again).size() == errors.size(), "errors differ on a second run");
  return 0;
}
