// traiod: flags and config in, the daemon on the loop, rule 13 on the way out. Wiring only.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "common/exit_code.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/daemon.hpp"
#include "daemon/server/daemon_options.hpp"

namespace {

void make_state_dir(const std::string& dir) {
  if (dir.empty()) return;
  std::filesystem::create_directories(dir);  // throws with the path and errno: startup only
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"traiod: the traio supervisor daemon"};
  traio::DaemonOptions options;
  bool check_config = false;
  app.add_option("--config", options.config_file, "config file (default /etc/traio/traiod.json when it exists)");
  app.add_option("--socket", options.socket_path, "control socket path");
  app.add_option("--state-dir", options.state_dir, "state directory");
  app.add_option("--log-level", options.log_level, "debug, info, warning or error");
  app.add_flag("--check-config", check_config, "validate the config, print every error, and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 exits 100-114 on parse errors; SPEC §3 says usage errors are 2. --help stays 0.
    return app.exit(e) == 0 ? 0 : traio::as_int(traio::ExitCode::Usage);
  }

  auto loaded = traio::load_daemon_config(options);
  if (auto* errors = std::get_if<std::vector<std::string>>(&loaded)) {
    for (const auto& error : *errors) std::cerr << "traiod: " << error << '\n';
    return traio::as_int(traio::ExitCode::Usage);
  }
  auto config = std::get<traio::DaemonConfig>(std::move(loaded));
  if (check_config) {
    std::cout << "config ok\n";
    return 0;
  }
  traio::set_log_level(config.log_level);
  // A client that hangs up mid-reply must cost us an EPIPE, not the process.
  std::signal(SIGPIPE, SIG_IGN);

  try {
    make_state_dir(config.state_dir);
    boost::asio::io_context io;
    traio::Daemon daemon(io, std::move(config));
    daemon.start();
    io.run();
    return daemon.phase() == traio::DaemonPhase::Stopped ? 0 : 1;
  } catch (const std::exception& e) {
    traio::log(traio::LogLevel::Error, "{}", e.what());
    return 1;
  }
}
