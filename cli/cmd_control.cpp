// finalize, cancel, timeout, limit, signal: act on a live node (SPEC §3, §6).
#include <charconv>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/spec_input.hpp"
#include "common/signal_name.hpp"
#include "config/queue_fields.hpp"

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
  std::string value;  // timeout: D or none; limit: N or none; signal: SIGNAL
  bool force = false;  // cancel --force (SPEC §6)
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
  sub->add_flag("--force", o->force, "also stop cleanup children and those held by a reverse stop order, now");
  commands.add(sub, [o](const Context& ctx) {
    json args = {{"path", ctx.resolve(o->path)}};
    if (o->reason) args["reason"] = *o->reason;
    if (o->force) args["force"] = true;
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

// "8" or "none": the max_parallel argument of the limit op (null: no limit).
std::optional<json> limit_value(const std::string& text) {
  if (text == "none") return json(nullptr);
  std::int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc{} || ptr != end || n < 1 || n > kMaxParallelLimit) return std::nullopt;
  return json(n);
}

int run_limit(const Context& ctx, const PathOptions& o) {
  auto max_parallel = limit_value(o.value);
  if (!max_parallel)
    return fail(ExitCode::Usage, fmt::format("limit: expected an integer 1..{} or none, got '{}'", kMaxParallelLimit, o.value));
  return simple_call(ctx, "limit", {{"path", ctx.resolve(o.path)}, {"max_parallel", *max_parallel}},
                     [](const json& result) {
                       const json max = result.value("max_parallel", json());
                       std::cout << "max_parallel: " << (max.is_number() ? max.dump() : "none") << " ("
                                 << result.value("running_children", 0) << " running, "
                                 << result.value("queued_children", 0) << " queued)\n";
                     });
}

void add_limit(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<PathOptions>();
  auto* sub = app.add_subcommand("limit", "set how many children a scope runs at once (queued ones start when raised)");
  sub->add_option("PATH", o->path, "scope path")->required();
  sub->add_option("N", o->value, "at most N children at once, or none")->required();
  commands.add(sub, [o](const Context& ctx) { return run_limit(ctx, *o); });
}

int run_scale(const Context& ctx, const PathOptions& o) {
  std::size_t n = 0;
  const char* end = o.value.data() + o.value.size();
  auto [ptr, ec] = std::from_chars(o.value.data(), end, n);
  if (ec != std::errc{} || ptr != end) return fail(ExitCode::Usage, fmt::format("scale: expected a count >= 0, got '{}'", o.value));
  return simple_call(ctx, "scale", {{"path", ctx.resolve(o.path)}, {"replicas", n}}, [](const json& result) {
    std::cout << result.value("path", "") << ": " << result.value("replicas", 0) << " replicas";
    const auto started = result.value("started", json::array()).size();
    const auto cancelled = result.value("cancelled", json::array()).size();
    if (started != 0) std::cout << ", " << started << " started";
    if (cancelled != 0) std::cout << ", " << cancelled << " cancelled";
    std::cout << '\n';
  });
}

void add_scale(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<PathOptions>();
  auto* sub = app.add_subcommand("scale", "make a replica set hold N members (new ones start, the highest extra ones are cancelled)");
  sub->add_option("PATH", o->path, "replica set path (a job with \"replicas\" in a tree)")->required();
  sub->add_option("N", o->value, "how many members")->required();
  commands.add(sub, [o](const Context& ctx) { return run_scale(ctx, *o); });
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
  add_limit(app, commands);
  add_scale(app, commands);
  add_signal(app, commands);
}

}  // namespace traio::cli
