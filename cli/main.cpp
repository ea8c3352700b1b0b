// traioctl: drives traiod over its Unix socket (SPEC §3).
#include <csignal>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/ssh_command.hpp"
#include "common/version.hpp"

using namespace traio;
using namespace traio::cli;

namespace {

// Everything after the first "--" is spawn's ARGV: CLI11 would mix it with JOB.json.
std::vector<std::string> split_trailing(int argc, char** argv, Context& ctx) {
  std::vector<std::string> head;
  for (int i = 0; i < argc; ++i) {
    if (!ctx.trailing_given && i > 0 && std::string(argv[i]) == "--") {
      ctx.trailing_given = true;
      continue;
    }
    (ctx.trailing_given ? ctx.trailing : head).emplace_back(argv[i]);
  }
  return head;
}

void add_global_options(CLI::App& app, GlobalOptions& global) {
  auto* socket = app.add_option("--socket", global.socket, "traiod's socket");
  auto* host = app.add_option("--host", global.host, "[USER@]HOST: a remote traiod over ssh");
  socket->excludes(host);
  app.add_option("--remote-socket", global.remote_socket, "with --host: the remote traiod's socket")
      ->needs(host);
  app.add_option("--remote-traioctl", global.remote_traioctl,
                 "with --host: the traioctl to run remotely (default: traioctl in the remote PATH)")
      ->needs(host);
  app.add_flag("--json", global.json, "machine output: one JSON object (NDJSON for -f)");
}

bool is_command(CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->get_name() == name) return true;
  return false;
}

int parse(CLI::App& app, const std::vector<std::string>& head) {
  std::vector<char*> args;
  for (const auto& a : head) args.push_back(const_cast<char*>(a.c_str()));
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // prints help, 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);  // prints the version, 0
  } catch (const CLI::ParseError& e) {
    if (head.size() > 1 && head[1].rfind("-", 0) != 0 && !is_command(app, head[1]))
      return fail(ExitCode::Usage, "unknown command '" + head[1] + "'\nrun 'traioctl --help' for usage");
    // CLI11 exits 100+; SPEC §3 says 2 for every usage error.
    return fail(ExitCode::Usage, std::string(e.what()) + "\nrun 'traioctl --help' for usage");
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  Context ctx;
  CLI::App app{"traioctl: drive traiod, the structured-concurrency task supervisor", "traioctl"};
  app.set_version_flag("--version", std::string("traioctl ") + traio::kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // global options may come after the verb too
  // Extras are checked below: the verbs not supported yet take anything (and say so).
  app.allow_extras();
  add_global_options(app, ctx.global);
  Commands commands;
  add_submit_commands(app, commands);
  add_run_command(app, commands);
  add_control_commands(app, commands);
  add_wait_command(app, commands);
  add_view_commands(app, commands);
  add_stream_commands(app, commands);
  add_daemon_commands(app, commands);
  add_bridge_command(app, commands);
  add_rerun_commands(app, commands);
  add_metrics_command(app, commands);
  add_pause_commands(app, commands);
  add_top_command(app, commands);
  add_later_commands(app, commands);

  const std::vector<std::string> head = split_trailing(argc, argv, ctx);
  if (const int code = parse(app, head); code >= 0) return code;
  set_json_errors(ctx.global.json);
  if (ctx.global.host)
    if (auto st = check_host(*ctx.global.host); !st) return fail(ExitCode::Usage, st.error().message);
  const CLI::App* sub = app.get_subcommands().front();
  if (const auto extras = app.remaining(true); !extras.empty() && !sub->get_prefix_command()) {
    std::string list;
    for (const auto& e : extras) list += " " + e;
    return fail(ExitCode::Usage, sub->get_name() + ": unexpected arguments:" + list +
                                     "\nrun 'traioctl " + sub->get_name() + " --help' for usage");
  }
  if (ctx.trailing_given && sub->get_name() != "spawn")
    return fail(ExitCode::Usage, sub->get_name() + ": unexpected arguments after --");
  ctx.default_scope = default_scope_from_env();
  const CommandFn* run = commands.find(sub);
  if (run == nullptr) return fail(ExitCode::Usage, sub->get_name() + ": unknown command");
  return (*run)(ctx);
}
