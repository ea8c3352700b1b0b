#pragma once
// traiod's command line over its config file (SPEC §4): flags override the file, the file
// overrides the defaults.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/daemon_config.hpp"

namespace traio {

inline constexpr const char* kDefaultConfigFile = "/etc/traio/traiod.json";

struct DaemonOptions {
  std::string config_file;  // empty: kDefaultConfigFile when it exists and we are root
  std::string socket_path;
  std::string state_dir;
  std::string log_level;
};

// The config, or every error found (each a line for the user: "file: key: reason").
std::variant<DaemonConfig, std::vector<std::string>> load_daemon_config(const DaemonOptions& options);

}  // namespace traio
