#include "daemon/server/daemon_options.hpp"

#include <grp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace traio {
namespace {

namespace fs = std::filesystem;

std::string pick_config_file(const DaemonOptions& options) {
  if (!options.config_file.empty()) return options.config_file;
  // The installed /etc/traio/traiod.json names the system's socket, state and boot.d: a user's
  // daemon keeps to its own defaults ($XDG_RUNTIME_DIR/traio.sock, ~/.local/state/traio).
  if (::geteuid() != 0) return "";
  std::error_code ec;
  return fs::exists(kDefaultConfigFile, ec) ? kDefaultConfigFile : "";
}

void apply_file(const std::string& file, LoadedConfig& loaded) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    loaded.errors.push_back(fmt::format("{}: cannot read", file));
    loaded.boot_dir = BootDirSource::Unknown;
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& e : apply_daemon_config_text(text.str(), loaded.config)) {
    loaded.errors.push_back(format_parse_error(e, file));
    if (e.path == "boot_dir" || e.path.empty()) loaded.boot_dir = BootDirSource::Unknown;
  }
}

void apply_flags(const DaemonOptions& options, LoadedConfig& loaded) {
  DaemonConfig& config = loaded.config;
  if (!options.socket_path.empty()) config.socket.path = options.socket_path;
  // Jobs get the path as TRAIO_SOCKET (rule 12) and run in other directories: make it absolute.
  if (!config.socket.path.empty()) {
    std::error_code ec;
    auto absolute = fs::absolute(config.socket.path, ec);
    if (!ec) config.socket.path = absolute.lexically_normal().string();
  }
  if (!options.state_dir.empty()) {
    // The log directory follows the state directory unless the config placed it elsewhere.
    if (config.log_dir.empty() || config.log_dir == config.state_dir + "/logs")
      config.log_dir = options.state_dir + "/logs";
    config.state_dir = options.state_dir;
  }
  if (!options.log_level.empty()) {
    if (auto level = log_level_from_string(options.log_level)) {
      config.log_level = *level;
    } else {
      loaded.errors.push_back(
          fmt::format("--log-level: unknown level '{}' (debug, info, warning, error)", options.log_level));
    }
  }
}

// The socket's group is looked up now, so --check-config names a group that does not exist.
void check_socket_group(const std::string& file, LoadedConfig& loaded) {
  const std::string& group = loaded.config.socket.group;
  if (group.empty() || ::getgrnam(group.c_str()) != nullptr) return;
  loaded.errors.push_back(format_parse_error({"socket.group", fmt::format("no group '{}'", group)}, file));
}

}  // namespace

LoadedConfig load_daemon_config(const DaemonOptions& options) {
  LoadedConfig loaded{default_daemon_config(), {}};
  const std::string file = pick_config_file(options);
  if (!file.empty()) apply_file(file, loaded);
  check_socket_group(file, loaded);
  apply_flags(options, loaded);
  return loaded;
}

}  // namespace traio
