#pragma once
// The daemon's configuration (SPEC §4): every key has a default; unknown keys are errors.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "common/duration.hpp"
#include "config/parse_error.hpp"

namespace traio {

enum class LogLevel { Debug, Info, Warning, Error };
std::string_view to_string(LogLevel level);
std::optional<LogLevel> log_level_from_string(std::string_view text);

struct DaemonConfig {
  struct Socket {
    std::string path;            // default: $XDG_RUNTIME_DIR/traio.sock (non-root) or /run/traio/traio.sock
    unsigned mode = 0660;
    std::string group;           // empty: the daemon's group
  } socket;
  std::string state_dir;         // default: ~/.local/state/traio (non-root) or /var/lib/traio
  std::string log_dir;           // default: <state_dir>/logs
  struct Logs {
    std::uint64_t max_bytes = 10ull << 20;
    unsigned keep = 5;
  } logs;
  std::size_t history = 1000;
  struct Defaults {
    int stop_signal = 15;        // SIGTERM
    Duration stop_grace = std::chrono::seconds(10);
    Duration backoff_initial = std::chrono::milliseconds(100);
    Duration backoff_max = std::chrono::minutes(1);
  } defaults;
  struct Limits {
    std::uint64_t request_bytes = 1ull << 20;
    std::size_t depth = 64;
    std::size_t connections = 128;
    std::size_t nodes = 100000;
  } limits;
  std::string boot_dir;          // default: /etc/traio/boot.d (root) or ~/.config/traio/boot.d
  LogLevel log_level = LogLevel::Info;
  struct Metrics {
    std::string listen;          // SPEC §6: the HTTP endpoint (config/metrics_listen.hpp); empty: none
  } metrics;
};

// Defaults that depend on who runs the daemon (root or not) and its environment.
DaemonConfig default_daemon_config();

// Applies a config document over `config`: every valid key is taken, a bad one leaves its
// default. Returns every error, each naming the key path ("limits.depth"). --check-config
// goes on from what was valid (boot_dir) to check the boot trees too.
ParseErrors apply_daemon_config(const nlohmann::json& json, DaemonConfig& config);
// The same from a config file's text: text that is not JSON is one error on the document
// (nlohmann's message, which names the line and column). Never throws.
ParseErrors apply_daemon_config_text(std::string_view text, DaemonConfig& config);
// The same, all or nothing.
std::variant<DaemonConfig, ParseErrors> parse_daemon_config(const nlohmann::json& json, DaemonConfig base);

}  // namespace traio
