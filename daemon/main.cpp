// traiod: flags and config in, the daemon on the loop, rule 13 on the way out. Wiring only.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>

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
#include "daemon/server/entrypoint.hpp"
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

traio::JsonLimits tree_limits(const traio::DaemonConfig& config) { return {16u << 20, config.limits.depth}; }

// `run_tree`: entrypoint mode (SPEC §6), the exit code is then the tree's.
int run(traio::DaemonConfig config, const traio::BootTrees& boot, const std::optional<traio::BootTree>& run_tree,
        traio::ExitCodeMode run_exit_code) {
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
    std::optional<traio::Entrypoint> entrypoint;
    if (run_tree) entrypoint.emplace(io, daemon, run_exit_code);
    daemon.supervisor().enable_orphan_reaping();
    daemon.start();
    daemon.submit_boot_trees(boot.trees);
    if (entrypoint) entrypoint->start(*run_tree);
    io.run();
    if (daemon.phase() != traio::DaemonPhase::Stopped) return 1;
    return entrypoint ? entrypoint->exit_code() : 0;
  } catch (const std::exception& e) {  // startup only: the loop's errors are events
    traio::log(traio::LogLevel::Error, "{}", e.what());
    return 1;
  }
}

// --check-config: every error of the config, the flags, the boot trees and the --run tree,
// then 0 or 2.
int check_config(const traio::LoadedConfig& loaded, const std::string& run_tree) {
  Errors errors = loaded.errors;
  if (!run_tree.empty()) {
    auto tree = traio::load_tree_file(run_tree, tree_limits(loaded.config));
    errors.insert(errors.end(), tree.errors.begin(), tree.errors.end());
  }
  std::size_t trees = 0;
  if (loaded.boot_dir == traio::BootDirSource::Known) {
    auto boot = traio::load_boot_trees(loaded.config.boot_dir, tree_limits(loaded.config));
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
  std::string exit_code;
  auto* run_option = app.add_option("--run", options.run_tree,
                                    "entrypoint: run TREE.json under /, then stop and exit with its outcome's code");
  app.add_option("--exit-code", exit_code, "with --run, 'child': exit with the deciding job's exit code")
      ->check(CLI::IsMember({"child"}))
      ->needs(run_option);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 exits 100-114 on parse errors; SPEC §3 says usage errors are 2. --help stays 0.
    return app.exit(e) == 0 ? 0 : traio::as_int(traio::ExitCode::Usage);
  }

  if (exit_code == "child") options.run_exit_code = traio::ExitCodeMode::Child;

  auto loaded = traio::load_daemon_config(options);
  if (check) return check_config(loaded, options.run_tree);
  if (!loaded.ok()) return usage_errors(loaded.errors);
  // A --run tree that cannot be read or is invalid starts nothing (SPEC §3: code 2).
  std::optional<traio::BootTree> run_tree;
  if (!options.run_tree.empty()) {
    auto tree = traio::load_tree_file(options.run_tree, tree_limits(loaded.config));
    if (!tree.errors.empty()) return usage_errors(tree.errors);
    run_tree = std::move(tree.trees.front());
  }
  auto boot = traio::load_boot_trees(loaded.config.boot_dir, tree_limits(loaded.config));
  return run(std::move(loaded.config), boot, run_tree, options.run_exit_code);
}
