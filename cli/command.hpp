#pragma once
// Each command group registers its subcommands with CLI11 and the function that runs each
// one; main parses argv and runs the selected one. Every function returns the exit code.
#include <functional>
#include <map>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"

namespace traio::cli {

using CommandFn = std::function<int(const Context&)>;

class Commands {
 public:
  void add(const CLI::App* sub, CommandFn fn) { run_[sub] = std::move(fn); }
  // nullptr when `sub` has no function (cannot happen for registered subcommands).
  const CommandFn* find(const CLI::App* sub) const {
    auto it = run_.find(sub);
    return it == run_.end() ? nullptr : &it->second;
  }

 private:
  std::map<const CLI::App*, CommandFn> run_;
};

void add_submit_commands(CLI::App& app, Commands& commands);   // spawn, fork
void add_run_command(CLI::App& app, Commands& commands);       // run
void add_control_commands(CLI::App& app, Commands& commands);  // finalize, cancel, timeout, signal
void add_wait_command(CLI::App& app, Commands& commands);      // wait
void add_view_commands(CLI::App& app, Commands& commands);     // ps, inspect
void add_stream_commands(CLI::App& app, Commands& commands);   // logs, events
void add_daemon_commands(CLI::App& app, Commands& commands);   // ping, version, shutdown
void add_bridge_command(CLI::App& app, Commands& commands);    // bridge (SPEC §6 "Remote")
void add_rerun_commands(CLI::App& app, Commands& commands);    // restart, retry
void add_metrics_command(CLI::App& app, Commands& commands);   // metrics
void add_pause_commands(CLI::App& app, Commands& commands);    // pause, resume
void add_top_command(CLI::App& app, Commands& commands);       // top
void add_later_commands(CLI::App& app, Commands& commands);    // §6 verbs not supported yet

// `--exit-code child` as CLI11 sees it: the option's value, "" when absent.
void add_exit_code_option(CLI::App& sub, std::string& value);

}  // namespace traio::cli
