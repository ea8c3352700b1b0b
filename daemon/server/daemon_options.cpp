#include "daemon/server/daemon_options.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace traio {
namespace {

namespace fs = std::filesystem;
using Errors = std::vector<std::string>;

std::string pick_config_file(const DaemonOptions& options) {
  if (!options.config_file.empty()) return options.config_file;
  // The installed /etc/traio/traiod.json names the system's socket, state and boot.d: a user's
  // daemon keeps to its own defaults ($XDG_RUNTIME_DIR/traio.sock, ~/.local/state/traio).
  if (::geteuid() != 0) return "";
  std::error_code ec;
  return fs::exists(kDefaultConfigFile, ec) ? kDefaultConfigFile : "";
}

std::variant<DaemonConfig, Errors> apply_file(const std::string& file, DaemonConfig base) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Errors{fmt::format("{}: cannot read", file)};
  std::stringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Errors{fmt::format("{}: not valid JSON", file)};
  auto parsed = parse_daemon_config(json, std::move(base));
  if (auto* errors = std::get_if<ParseErrors>(&parsed)) {
    Errors out;
    for (const auto& e : *errors) out.push_back(format_parse_error(e, file));
    return out;
  }
  return std::get<DaemonConfig>(std::move(parsed));
}

}  // namespace

std::variant<DaemonConfig, std::vector<std::string>> load_daemon_config(const DaemonOptions& options) {
  DaemonConfig config = default_daemon_config();
  if (std::string file = pick_config_file(options); !file.empty()) {
    auto loaded = apply_file(file, std::move(config));
    if (auto* errors = std::get_if<Errors>(&loaded)) return std::move(*errors);
    config = std::get<DaemonConfig>(std::move(loaded));
  }
  Errors errors;
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
      errors.push_back(fmt::format("--log-level: unknown level '{}' (debug, info, warning, error)",
                                   options.log_level));
    }
  }
  if (!errors.empty()) return errors;
  return config;
}

}  // namespace traio
