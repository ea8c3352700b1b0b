// finalize, cancel, timeout, signal: act on a live node (SPEC §3).
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/spec_input.hpp"
#include "common/signal_name.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

// Sends one request; prints its result with --json, `human` of it otherwise.
int simple_call(const Context& ctx, const std::string& op, const json& args,
                const std::function<void(const json&)>& human = {}) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = conn->client.call(op, args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
  } else if (human) {
    human(reply.result);
  }
  return 0;
}

struct PathOptions {
  std::string path;
  std::optional<std::string> reason;
  std::string value;  // timeout: D or none; signal: SIGNAL
};

void add_finalize(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<PathOptions>();
  auto* sub = app.add_subcommand("finalize", "let a scope end once its awaited children are done");
  sub->add_option("SCOPE", o->path, "scope path")->required();
  commands.add(sub, [o](const Context& ctx) {
    return simple_call(ctx, "finalize", {{"path", ctx.resolve(o->path)}});
  });
}

void add_cancel(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<PathOptions>();
  auto* sub = app.add_subcommand("cancel", "cancel a node and its subtree");
  sub->add_option("PATH", o->path, "node path")->required();
  sub->add_option("--reason", o->reason, "why, kept with the outcome");
  commands.add(sub, [o](const Context& ctx) {
    json args = {{"path", ctx.resolve(o->path)}};
    if (o->reason) args["reason"] = *o->reason;
    return simple_call(ctx, "cancel", args);
  });
}

int run_timeout(const Context& ctx, const PathOptions& o) {
  json args = {{"path", ctx.resolve(o.path)}, {"timeout", nullptr}};
  if (o.value != "none") {  // rule 6: "none" removes the node's own timeout
    auto d = canonical_duration(o.value);
    if (!d) return fail(ExitCode::Usage, "timeout: " + d.error().message);
    args["timeout"] = *d;
  }
  return simple_call(ctx, "timeout", args, [](const json& result) {
    const json deadline = result.value("deadline", json());
    std::cout << "deadline: " << (deadline.is_string() ? deadline.get<std::string>() : "none") << '\n';
  });
}

void add_timeout(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<PathOptions>();
  auto* sub = app.add_subcommand("timeout", "reset a live node's own timeout from now");
  sub->add_option("PATH", o->path, "node path")->required();
  sub->add_option("D", o->value, "duration, or none")->required();
  commands.add(sub, [o](const Context& ctx) { return run_timeout(ctx, *o); });
}

int run_signal(const Context& ctx, const PathOptions& o) {
  auto signo = parse_signal(o.value);  // checked here: a bad name is a usage error (exit 2)
  if (!signo) return fail(ExitCode::Usage, "signal: " + signo.error().message);
  const std::string path = ctx.resolve(o.path);
  return simple_call(ctx, "signal", {{"path", path}, {"signal", *signo}}, [&](const json& result) {
    // As kill(1): silent when it worked. A node with nothing running is no error, but say so.
    if (result.value("signalled", 0) == 0) std::cerr << "traioctl: " << path << ": no running process to signal\n";
  });
}

void add_signal(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<PathOptions>();
  auto* sub = app.add_subcommand("signal", "send a signal to a job's processes (a scope: to all its jobs)");
  sub->add_option("PATH", o->path, "node path")->required();
  sub->add_option("SIGNAL", o->value, "TERM, SIGHUP, kill, 10, ...")->required();
  commands.add(sub, [o](const Context& ctx) { return run_signal(ctx, *o); });
}

}  // namespace

void add_control_commands(CLI::App& app, Commands& commands) {
  add_finalize(app, commands);
  add_cancel(app, commands);
  add_timeout(app, commands);
  add_signal(app, commands);
}

}  // namespace traio::cli
