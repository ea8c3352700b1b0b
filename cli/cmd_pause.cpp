// pause, resume (SPEC §6 "Pause and resume"): freeze a node's processes and hold its
// queued children; --timers holds its deadlines and restart backoffs too.
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/output.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

struct PauseOptions {
  std::string path;
  bool timers = false;
};

int call_pause_op(const Context& ctx, const std::string& op, const json& args) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = conn->client.call(op, args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    const json& path = reply.result["path"];
    if (path.is_string()) std::cout << path.get<std::string>() << ": " << reply.result.value("state", "") << '\n';
  }
  return 0;
}

}  // namespace

void add_pause_commands(CLI::App& app, Commands& commands) {
  auto pause = std::make_shared<PauseOptions>();
  auto* sub = app.add_subcommand("pause", "freeze a node's processes and hold its queued children");
  sub->add_option("PATH", pause->path, "node path")->required();
  sub->add_flag("--timers", pause->timers, "also suspend its timeouts and restart backoffs until resumed");
  commands.add(sub, [pause](const Context& ctx) {
    json args = {{"path", ctx.resolve(pause->path)}};
    if (pause->timers) args["timers"] = true;
    return call_pause_op(ctx, "pause", args);
  });

  auto resume = std::make_shared<PauseOptions>();
  auto* again = app.add_subcommand("resume", "thaw a paused node and let its queued children start");
  again->add_option("PATH", resume->path, "node path")->required();
  commands.add(again, [resume](const Context& ctx) {
    return call_pause_op(ctx, "resume", {{"path", ctx.resolve(resume->path)}});
  });
}

}  // namespace traio::cli
