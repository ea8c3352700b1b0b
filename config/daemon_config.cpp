#include "config/daemon_config.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "common/json_limits.hpp"
#include "config/json_fields.hpp"
#include "config/metrics_listen.hpp"

namespace traio {

using nlohmann::json;

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
  }
  return "info";  // unreachable: the switch is exhaustive
}

std::optional<LogLevel> log_level_from_string(std::string_view text) {
  for (LogLevel level : {LogLevel::Debug, LogLevel::Info, LogLevel::Warning, LogLevel::Error})
    if (to_string(level) == text) return level;
  return std::nullopt;
}

namespace {

// An absolute directory from the environment, or nullopt when unset, empty or relative
// (the XDG base directory spec says relative values are to be ignored).
std::optional<std::string> env_dir(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || value[0] != '/') return std::nullopt;
  return std::string(value);
}

std::string home_dir() {
  if (auto home = env_dir("HOME")) return *home;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
  return fmt::format("/tmp/traio-{}", ::getuid());
}

// "0660" -> 0660. JSON has no octal numbers, so the mode must be a string.
std::optional<unsigned> read_mode(const json& v, const std::string& p, FieldErrors& e) {
  if (!v.is_string()) {
    e.wrong_type(p, "octal string like \"0660\"", v);
    return std::nullopt;
  }
  const auto& s = v.get_ref<const std::string&>();
  unsigned mode = 0;
  bool ok = !s.empty() && s.size() <= 4;
  for (char c : s) {
    ok = ok && c >= '0' && c <= '7';
    mode = mode * 8 + static_cast<unsigned>(c - '0');
  }
  if (!ok) {
    e.add(p, fmt::format("expected octal string like \"0660\", got {}", json_excerpt(v)));
    return std::nullopt;
  }
  return mode;
}

template <class T, class U>
void set_if(std::optional<T> value, U& target) {
  if (value) target = static_cast<U>(*value);
}

bool read_socket(std::string_view key, const json& v, const std::string& p, FieldErrors& e, DaemonConfig::Socket& s) {
  if (key == "path") set_if(read_abs_path(v, p, e), s.path);
  else if (key == "mode") set_if(read_mode(v, p, e), s.mode);
  else if (key == "group") set_if(read_string(v, p, e), s.group);
  else return false;
  return true;
}

bool read_logs(std::string_view key, const json& v, const std::string& p, FieldErrors& e, DaemonConfig::Logs& l) {
  if (key == "max_bytes") set_if(read_byte_size(v, p, e, 4096), l.max_bytes);
  else if (key == "keep") set_if(read_int(v, p, e, 0, 1000), l.keep);
  else return false;
  return true;
}

bool read_limits(std::string_view key, const json& v, const std::string& p, FieldErrors& e, DaemonConfig::Limits& l) {
  if (key == "request_bytes") {
    // At least 1 KiB so a spawn request fits; at most 1 GiB so a line is still bounded.
    auto bytes = read_byte_size(v, p, e, 1024);
    if (bytes && *bytes > (1ull << 30)) e.add(p, fmt::format("must be at most 1GiB, got {}", json_excerpt(v)));
    else set_if(bytes, l.request_bytes);
  } else if (key == "depth") {
    set_if(read_int(v, p, e, 4, 1024), l.depth);  // a spawn request is 4 deep; the parser is iterative
  } else if (key == "connections") {
    set_if(read_int(v, p, e, 1, 65536), l.connections);
  } else if (key == "nodes") {
    set_if(read_int(v, p, e, 1, 10'000'000), l.nodes);
  } else {
    return false;
  }
  return true;
}

bool read_defaults(std::string_view key, const json& v, const std::string& p, FieldErrors& e,
                   DaemonConfig::Defaults& d) {
  if (key == "stop") {
    for_each_field(v, p, e, [&](std::string_view k, const json& value, const std::string& kp) {
      if (k == "signal") set_if(read_signal(value, kp, e), d.stop_signal);
      else if (k == "grace") set_if(read_duration(value, kp, e), d.stop_grace);
      else return false;
      return true;
    });
  } else if (key == "restart") {
    for_each_field(v, p, e, [&](std::string_view k, const json& restart, const std::string& rp) {
      if (k != "backoff") return false;
      for_each_field(restart, rp, e, [&](std::string_view b, const json& value, const std::string& bp) {
        if (b == "initial") set_if(read_duration(value, bp, e, Duration(1)), d.backoff_initial);
        else if (b == "max") set_if(read_duration(value, bp, e, Duration(1)), d.backoff_max);
        else return false;
        return true;
      });
      return true;
    });
  } else {
    return false;
  }
  return true;
}

bool read_metrics(std::string_view key, const json& v, const std::string& p, FieldErrors& e,
                  DaemonConfig::Metrics& m) {
  if (key != "listen") return false;
  if (auto text = read_string(v, p, e)) {
    if (auto listen = parse_metrics_listen(*text); !listen) e.add(p, listen.error().message);
    else m.listen = *text;
  }
  return true;
}

bool read_top_level(std::string_view key, const json& v, const std::string& p, FieldErrors& e, DaemonConfig& c) {
  auto section = [&](auto read, auto& target) {
    for_each_field(v, p, e, [&](std::string_view k, const json& value, const std::string& kp) {
      return read(k, value, kp, e, target);
    });
  };
  if (key == "socket") section(read_socket, c.socket);
  else if (key == "logs") section(read_logs, c.logs);
  else if (key == "limits") section(read_limits, c.limits);
  else if (key == "defaults") section(read_defaults, c.defaults);
  else if (key == "state_dir") set_if(read_abs_path(v, p, e), c.state_dir);
  else if (key == "log_dir") set_if(read_abs_path(v, p, e), c.log_dir);
  else if (key == "boot_dir") set_if(read_abs_path(v, p, e), c.boot_dir);
  else if (key == "history") set_if(read_int(v, p, e, 0, 10'000'000), c.history);
  else if (key == "log_level") {
    if (auto s = read_string(v, p, e)) {
      if (auto level = log_level_from_string(*s)) c.log_level = *level;
      else e.add(p, fmt::format("expected \"debug\", \"info\", \"warning\" or \"error\", got {}", json_excerpt(v)));
    }
  } else if (key == "metrics") {
    section(read_metrics, c.metrics);
  } else {
    return false;
  }
  return true;
}

}  // namespace

DaemonConfig default_daemon_config() {
  DaemonConfig c;
  if (::geteuid() == 0) {
    c.socket.path = "/run/traio/traio.sock";
    c.state_dir = "/var/lib/traio";
    c.log_dir = "/var/log/traio";
    c.boot_dir = "/etc/traio/boot.d";
    return c;
  }
  // A user's daemon keeps to the user's own directories (XDG base directories), so it never
  // reads the system's boot trees or competes for the system socket.
  if (auto runtime = env_dir("XDG_RUNTIME_DIR")) c.socket.path = *runtime + "/traio.sock";
  else c.socket.path = fmt::format("/tmp/traio-{}/traio.sock", ::getuid());
  std::string home = home_dir();
  c.state_dir = env_dir("XDG_STATE_HOME").value_or(home + "/.local/state") + "/traio";
  c.log_dir = c.state_dir + "/logs";
  c.boot_dir = env_dir("XDG_CONFIG_HOME").value_or(home + "/.config") + "/traio/boot.d";
  return c;
}

ParseErrors apply_daemon_config(const json& json_doc, DaemonConfig& config) {
  ParseErrors errors;
  FieldErrors e(errors);
  // A log_dir that was derived from the state_dir follows a state_dir set in the file.
  const bool log_dir_follows_state = config.log_dir == config.state_dir + "/logs";
  for_each_field(json_doc, "", e, [&](std::string_view key, const json& value, const std::string& p) {
    return read_top_level(key, value, p, e, config);
  });
  if (log_dir_follows_state && json_doc.is_object() && !json_doc.contains("log_dir"))
    config.log_dir = config.state_dir + "/logs";
  if (config.defaults.backoff_initial > config.defaults.backoff_max)
    e.add("defaults.restart.backoff.initial",
          fmt::format("must not exceed backoff.max ({} > {})", format_duration(config.defaults.backoff_initial),
                      format_duration(config.defaults.backoff_max)));
  return errors;
}

ParseErrors apply_daemon_config_text(std::string_view text, DaemonConfig& config) {
  // A config is four levels deep. Deeper is refused before anything walks it: nlohmann
  // copies and dumps recursively (a copy of a million nested arrays overflows the stack).
  constexpr std::size_t kMaxDepth = 64;
  if (json_nesting_depth(text, kMaxDepth) > kMaxDepth)
    return {ParseError{"", fmt::format("not valid JSON: nested deeper than {} levels", kMaxDepth)}};
  json json_doc;
  try {
    json_doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {  // parse_error, and out_of_range 406 for "1e400"
    std::string message = e.what();
    // Without nlohmann's "[json.exception.parse_error.101] " tag; the rest names the line and column.
    if (auto tag_end = message.find("] "); message.rfind("[json.exception", 0) == 0 && tag_end != std::string::npos)
      message.erase(0, tag_end + 2);
    return {ParseError{"", "not valid JSON: " + message}};
  }
  return apply_daemon_config(json_doc, config);
}

std::variant<DaemonConfig, ParseErrors> parse_daemon_config(const json& json_doc, DaemonConfig base) {
  ParseErrors errors = apply_daemon_config(json_doc, base);
  if (!errors.empty()) return errors;
  return base;
}

}  // namespace traio
