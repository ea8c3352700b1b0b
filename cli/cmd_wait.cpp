// wait: block until nodes are done; exit code = the first unsuccessful outcome (SPEC §3).
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/exit_status.hpp"
#include "cli/output.hpp"
#include "cli/owned_wait.hpp"
#include "cli/render_node.hpp"
#include "cli/spec_input.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

struct WaitOptions {
  std::vector<std::string> paths;
  std::optional<std::string> timeout;
  bool claim = false;
  std::string exit_code;
};

int run_wait(const Context& ctx, const WaitOptions& o) {
  WaitArgs args;
  for (const auto& p : o.paths) args.paths.push_back(ctx.resolve(p));
  if (o.timeout) {
    auto d = canonical_duration(*o.timeout);
    if (!d) return fail(ExitCode::Usage, "--timeout: " + d.error().message);
    args.timeout = *d;
  }
  args.claim = o.claim;  // rule 10
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = wait_for(conn->client, args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    for (const auto& node : reply.result.value("nodes", json::array()))
      std::cout << wait_line(node) << '\n';
    if (reply.result.value("expired", false))
      fail(ExitCode::WaitExpired, "wait: timed out after " + *args.timeout + " (still live)");
  }
  return exit_code_for_wait(reply.result, o.exit_code == "child" ? ExitCodeMode::Child
                                                                 : ExitCodeMode::Outcome);
}

}  // namespace

void add_wait_command(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<WaitOptions>();
  auto* sub = app.add_subcommand("wait", "block until all are done; exit code = outcome");
  sub->add_option("PATH", o->paths, "node paths")->required();
  sub->add_option("--timeout", o->timeout, "give up after D (exit 8)");
  sub->add_flag("--claim", o->claim, "take over the outcome: the node stops bubbling (rule 10)");
  add_exit_code_option(*sub, o->exit_code);
  commands.add(sub, [o](const Context& ctx) { return run_wait(ctx, *o); });
}

}  // namespace traio::cli
