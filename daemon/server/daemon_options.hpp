#pragma once
// traiod's command line over its config file (SPEC §4): flags override the file, the file
// overrides the defaults.
#include <string>
#include <vector>

#include "common/exit_status.hpp"
#include "config/daemon_config.hpp"

namespace traio {

inline constexpr const char* kDefaultConfigFile = "/etc/traio/traiod.json";

struct DaemonOptions {
  std::string config_file;  // empty: kDefaultConfigFile when it exists and we are root
  std::string socket_path;
  std::string state_dir;
  std::string log_level;
  // Entrypoint mode (SPEC §6): the tree file of --run ("" without), and --exit-code.
  std::string run_tree;
  ExitCodeMode run_exit_code = ExitCodeMode::Outcome;
};

enum class BootDirSource { Known, Unknown };

struct LoadedConfig {
  DaemonConfig config;              // every valid key and flag applied; a bad one keeps its default
  std::vector<std::string> errors;  // every error, each a line for the user: "file: key: reason"
  // Unknown when the file could not be read or parsed, or its boot_dir is bad: the boot
  // trees that --check-config would check are then not the ones meant.
  BootDirSource boot_dir = BootDirSource::Known;

  bool ok() const { return errors.empty(); }
};

LoadedConfig load_daemon_config(const DaemonOptions& options);

}  // namespace traio
