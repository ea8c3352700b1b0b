// traiod: flags and config in, the daemon on the loop, rule 13 on the way out. Wiring only.
#include <csignal>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "common/exit_code.hpp"
#include "common/version.hpp"
#include "daemon/os/reaper.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/boot_trees.hpp"
#include "daemon/server/daemon.hpp"
#include "daemon/server/daemon_options.hpp"
#include "daemon/server/systemd.hpp"

namespace {

using Errors = std::vector<std::string>;

int usage_errors(const Errors& errors) {
  for (const auto& error : errors) std::cerr << "traiod: " << error << '\n';
  return traio::as_int(traio::ExitCode::Usage);
}

// Under socket activation the socket's own path is the one jobs must reach (rule 12), whatever
// the config or --socket say.
void use_activated_socket_path(traio::DaemonConfig& config) {
  auto fd = traio::activated_socket_fd();
  if (!fd) return;
  std::string path = traio::activated_socket_path(*fd);
  if (path.empty()) return;
  // A path bound relative to the binder's directory (systemd-socket-activate -l x.sock), which
  // is ours too: it execs us there.
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  config.socket.path = ec ? path : absolute.lexically_normal().string();
}

int run(traio::DaemonConfig config, const traio::BootTrees& boot) {
  traio::set_log_level(config.log_level);
  // A client that hangs up mid-reply must cost us an EPIPE, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  if (auto raised = traio::os::raise_fd_limit(); !raised)
    traio::log(traio::LogLevel::Warning, "cannot raise the fd limit: {}", raised.error().message());
  // A broken boot tree is skipped, not fatal: the other trees and every client still need
  // the daemon (--check-config is where such errors stop things).
  for (const auto& error : boot.errors) traio::log(traio::LogLevel::Error, "boot: skipped: {}", error);
  try {
    use_activated_socket_path(config);
    if (!config.state_dir.empty()) std::filesystem::create_directories(config.state_dir);
    boost::asio::io_context io;
    traio::Daemon daemon(io, std::move(config));
    daemon.supervisor().enable_orphan_reaping();
    daemon.start();
    daemon.submit_boot_trees(boot.trees);
    io.run();
    return daemon.phase() == traio::DaemonPhase::Stopped ? 0 : 1;
  } catch (const std::exception& e) {  // startup only: the loop's errors are events
    traio::log(traio::LogLevel::Error, "{}", e.what());
    return 1;
  }
}

// --check-config: every error of the config, the flags and the boot trees, then 0 or 2.
int check_config(const traio::LoadedConfig& loaded) {
  Errors errors = loaded.errors;
  std::size_t trees = 0;
  if (loaded.boot_dir == traio::BootDirSource::Known) {
    auto boot = traio::load_boot_trees(loaded.config.boot_dir, {16u << 20, loaded.config.limits.depth});
    errors.insert(errors.end(), boot.errors.begin(), boot.errors.end());
    trees = boot.trees.size();
  }
  if (!errors.empty()) return usage_errors(errors);
  std::cout << fmt::format("config ok: socket {}, state {}, {} boot tree(s) in {}\n", loaded.config.socket.path,
                           loaded.config.state_dir, trees, loaded.config.boot_dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"traiod: the traio supervisor daemon"};
  app.set_version_flag("--version", std::string("traiod ") + traio::kVersion);
  traio::DaemonOptions options;
  bool check = false;
  app.add_option("--config", options.config_file, "config file (root: /etc/traio/traiod.json when it exists)");
  app.add_option("--socket", options.socket_path, "control socket path");
  app.add_option("--state-dir", options.state_dir, "state directory");
  app.add_option("--log-level", options.log_level, "debug, info, warning or error");
  app.add_flag("--check-config", check, "validate the config and boot trees, print every error, exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 exits 100-114 on parse errors; SPEC §3 says usage errors are 2. --help stays 0.
    return app.exit(e) == 0 ? 0 : traio::as_int(traio::ExitCode::Usage);
  }

  auto loaded = traio::load_daemon_config(options);
  if (check) return check_config(loaded);
  if (!loaded.ok()) return usage_errors(loaded.errors);
  auto boot = traio::load_boot_trees(loaded.config.boot_dir, {16u << 20, loaded.config.limits.depth});
  return run(std::move(loaded.config), boot);
}
