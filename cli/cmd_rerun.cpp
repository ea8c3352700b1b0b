// restart and retry: run an ended node again, or a scope's failed children (SPEC §6
// "Re-run"). Both print the new runs' paths; --wait waits for them and exits with their
// outcome, as `spawn --wait` does.
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/exit_status.hpp"
#include "cli/output.hpp"
#include "cli/owned_wait.hpp"
#include "cli/render_node.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

struct RerunOptions {
  std::string path;
  bool wait = false;
  std::string exit_code;
};

// The new runs of a restart or retry reply: [{path, generation}].
json runs_of(const std::string& op, const json& result) {
  if (op == "restart") return json::array({result});
  return result.value("runs", json::array());
}

int wait_runs(const Context& ctx, Connection& conn, CancelOnSignal& guard, const std::vector<std::string>& paths,
              const RerunOptions& o) {
  if (paths.size() == 1) guard.own(paths.front());  // as spawn --wait: a signal cancels what we started
  const Reply reply = wait_for(conn.client, WaitArgs{paths, std::nullopt, false});
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    for (const auto& node : reply.result.value("nodes", json::array())) std::cout << wait_line(node) << '\n';
  }
  return exit_code_for_wait(reply.result, o.exit_code == "child" ? ExitCodeMode::Child : ExitCodeMode::Outcome);
}

int run_rerun(const Context& ctx, const std::string& op, const RerunOptions& o) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  std::optional<CancelOnSignal> guard;
  if (o.wait) guard.emplace(*conn);
  const Reply reply = conn->client.call(op, {{"path", ctx.resolve(o.path)}});
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  const json runs = runs_of(op, reply.result);
  if (runs.empty()) {
    // Nothing failed: not an error (a script may retry unconditionally), but said on stderr.
    if (ctx.global.json) print_json(reply.result);
    std::cerr << fmt::format("traioctl: nothing to retry in {}: no failed, timed-out or skipped child\n",
                             reply.result.value("path", o.path));
    return 0;
  }
  std::vector<std::string> paths;
  for (const auto& run : runs) paths.push_back(run.value("path", ""));
  if (o.wait) return wait_runs(ctx, *conn, *guard, paths, o);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    for (const auto& run : runs)
      std::cout << fmt::format("{} (generation {})\n", run.value("path", ""), run.value("generation", 1));
  }
  return 0;
}

void add_rerun(CLI::App& app, Commands& commands, const std::string& op, const char* help, const char* what) {
  auto o = std::make_shared<RerunOptions>();
  auto* sub = app.add_subcommand(op, help);
  sub->add_option(what, o->path, op == "restart" ? "an ended node's path" : "scope path")->required();
  sub->add_flag("--wait", o->wait, "wait for the new runs; exit code = their outcome");
  add_exit_code_option(*sub, o->exit_code);
  commands.add(sub, [o, op](const Context& ctx) { return run_rerun(ctx, op, *o); });
}

}  // namespace

void add_rerun_commands(CLI::App& app, Commands& commands) {
  add_rerun(app, commands, "restart", "run an ended node again from its stored spec (a new generation)", "PATH");
  add_rerun(app, commands, "retry", "re-run a scope's failed, timed-out and skipped children", "SCOPE");
}

}  // namespace traio::cli
