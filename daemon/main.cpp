// traiod: flags and config in, the daemon on the loop, rule 13 on the way out. Wiring only.
#include <csignal>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "common/exit_code.hpp"
#include "daemon/os/reaper.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/boot_trees.hpp"
#include "daemon/server/daemon.hpp"
#include "daemon/server/daemon_options.hpp"

namespace {

using Errors = std::vector<std::string>;

int usage_errors(const Errors& errors) {
  for (const auto& error : errors) std::cerr << "traiod: " << error << '\n';
  return traio::as_int(traio::ExitCode::Usage);
}

int run(traio::DaemonConfig config, const std::vector<traio::BootTree>& boot) {
  traio::set_log_level(config.log_level);
  // A client that hangs up mid-reply must cost us an EPIPE, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  if (auto raised = traio::os::raise_fd_limit(); !raised)
    traio::log(traio::LogLevel::Warning, "cannot raise the fd limit: {}", raised.error().message());
  try {
    if (!config.state_dir.empty()) std::filesystem::create_directories(config.state_dir);
    boost::asio::io_context io;
    traio::Daemon daemon(io, std::move(config));
    daemon.supervisor().enable_orphan_reaping();
    daemon.start();
    daemon.submit_boot_trees(boot);
    io.run();
    return daemon.phase() == traio::DaemonPhase::Stopped ? 0 : 1;
  } catch (const std::exception& e) {  // startup only: the loop's errors are events
    traio::log(traio::LogLevel::Error, "{}", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"traiod: the traio supervisor daemon"};
  traio::DaemonOptions options;
  bool check_config = false;
  app.add_option("--config", options.config_file, "config file (root: /etc/traio/traiod.json when it exists)");
  app.add_option("--socket", options.socket_path, "control socket path");
  app.add_option("--state-dir", options.state_dir, "state directory");
  app.add_option("--log-level", options.log_level, "debug, info, warning or error");
  app.add_flag("--check-config", check_config, "validate the config and boot trees, print every error, exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 exits 100-114 on parse errors; SPEC §3 says usage errors are 2. --help stays 0.
    return app.exit(e) == 0 ? 0 : traio::as_int(traio::ExitCode::Usage);
  }

  auto loaded = traio::load_daemon_config(options);
  if (auto* errors = std::get_if<Errors>(&loaded)) return usage_errors(*errors);
  auto config = std::get<traio::DaemonConfig>(std::move(loaded));
  auto boot = traio::load_boot_trees(config.boot_dir, {16u << 20, config.limits.depth});
  if (auto* errors = std::get_if<Errors>(&boot)) return usage_errors(*errors);
  if (check_config) {
    std::cout << "config ok\n";
    return 0;
  }
  return run(std::move(config), std::get<std::vector<traio::BootTree>>(boot));
}
