// spawn and fork: add a job or a sub-scope to a scope (SPEC §3).
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/exit_status.hpp"
#include "cli/output.hpp"
#include "cli/owned_wait.hpp"
#include "cli/render_node.hpp"
#include "cli/spec_input.hpp"
#include "common/node_path.hpp"
#include "config/queue_fields.hpp"

extern char** environ;

namespace traio::cli {

using nlohmann::json;

namespace {

struct SpawnOptions {
  std::string scope;
  SpawnFlags flags;
  bool inherit_env = false;
  bool wait = false;
  std::string exit_code;
  std::string file;
};

json caller_environment() {
  json env = json::object();
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string kv(*e);
    if (const auto eq = kv.find('='); eq != std::string::npos && eq > 0)
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

// The job to send, validated: from the file or the argv after "--", flags applied.
Expected<json> build_job(const Context& ctx, const SpawnOptions& o) {
  if (!o.file.empty() && ctx.trailing_given)
    return Error{ErrorCode::InvalidRequest, "spawn: give either JOB.json or -- ARGV, not both"};
  if (o.file.empty() && ctx.trailing.empty())
    return Error{ErrorCode::InvalidRequest, "spawn: needs JOB.json or -- ARGV..."};
  json job;
  std::string label = "job";
  if (!o.file.empty()) {
    auto read = read_json_file(o.file);
    if (!read) return read.error();
    job = std::move(*read);
    label = o.file;
    if (auto st = resolve_env_files_of(job, o.file); !st) return st.error();
    if (!job.is_object()) {
      if (auto st = validate_spec(job, SpecKind::Job, label); !st) return st.error();
    }
  } else {
    job = json{{"argv", ctx.trailing}};
  }
  std::error_code ec;
  const std::string cwd = std::filesystem::current_path(ec).string();
  // A relative cwd in the file means the caller's; then flags win over the file's fields.
  fill_cwd(job, cwd);
  auto applied = apply_spawn_flags(std::move(job), o.flags, cwd);
  if (!applied) return applied.error();
  // Flag values are checked above, so what is left to report is the file's.
  if (auto st = validate_spec(*applied, SpecKind::Job, label); !st) return st.error();
  return applied;
}

// --wait: wait for the job we own and exit with its outcome (SPEC §3).
int wait_spawned(const Context& ctx, Connection& conn, CancelOnSignal& guard,
                 const std::string& path, const SpawnOptions& o) {
  guard.own(path);
  const Reply reply = wait_for(conn.client, WaitArgs{{path}, std::nullopt, false});
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    json out = reply.result;
    out["path"] = path;
    print_json(out);
  } else {
    for (const auto& node : reply.result.value("nodes", json::array()))
      std::cout << wait_line(node) << '\n';
  }
  return exit_code_for_wait(reply.result, o.exit_code == "child" ? ExitCodeMode::Child
                                                                 : ExitCodeMode::Outcome);
}

int run_spawn(const Context& ctx, const SpawnOptions& o) {
  auto job = build_job(ctx, o);
  if (!job) return fail(ExitCode::Usage, job.error().message);
  json args = {{"scope", ctx.resolve(o.scope.empty() ? ctx.default_scope : o.scope)},
               {"job", *job}};
  if (o.inherit_env) args["base_env"] = caller_environment();
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  std::optional<CancelOnSignal> guard;
  if (o.wait) guard.emplace(*conn);
  const Reply reply = conn->client.call("spawn", args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  const std::string path = reply.result.value("path", "");
  if (o.wait) return wait_spawned(ctx, *conn, *guard, path, o);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    std::cout << path << '\n';
  }
  return 0;
}

void add_spawn(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<SpawnOptions>();
  auto* sub = app.add_subcommand("spawn", "start a job in a scope; prints its path");
  sub->add_option("--scope", o->scope, "scope to spawn into (default: $TRAIO_SCOPE or /)");
  sub->add_option("--name", o->flags.name, "the job's name");
  sub->add_flag("--master", o->flags.master, "its end stops the scope (rule 4)");
  sub->add_flag("--no-bubble", o->flags.no_bubble, "its failure stays its own (rule 3)");
  sub->add_flag("--no-await", o->flags.no_await, "does not keep a finalized scope alive (rule 5)");
  sub->add_option("--timeout", o->flags.timeout, "cancel it after D (rule 6)");
  sub->add_option("--restart", o->flags.restart, "restart policy: no, on-failure or always (rule 11)");
  // One K=V per --env: a greedy vector option would swallow JOB.json.
  sub->add_option("--env", o->flags.env, "K=V added to its environment (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--inherit-env", o->inherit_env, "send this environment as its base");
  sub->add_option("--cwd", o->flags.cwd, "working directory (default: the current one)");
  sub->add_flag("--wait", o->wait, "wait for it; exit code = its outcome");
  add_exit_code_option(*sub, o->exit_code);
  sub->add_option("JOB.json", o->file, "job file (or -- ARGV...)");
  commands.add(sub, [o](const Context& ctx) { return run_spawn(ctx, *o); });
}

struct ForkOptions {
  std::string scope;
  std::optional<std::string> name;
  std::optional<std::string> timeout;
  bool master = false;
  bool no_bubble = false;
  bool no_await = false;
  std::size_t max_parallel = 0;  // 0: not given (CLI11 checks 1..kMaxParallelLimit)
};

int run_fork(const Context& ctx, const ForkOptions& o) {
  json args = {{"scope", ctx.resolve(o.scope.empty() ? ctx.default_scope : o.scope)}};
  if (o.name) {
    if (!is_valid_name(*o.name)) return fail(ExitCode::Usage, "--name: " + name_error(*o.name));
    args["name"] = *o.name;
  }
  if (o.timeout) {
    auto d = canonical_duration(*o.timeout);
    if (!d) return fail(ExitCode::Usage, "--timeout: " + d.error().message);
    args["timeout"] = *d;
  }
  if (o.master) args["master"] = true;
  if (o.no_bubble) args["bubble"] = false;
  if (o.no_await) args["awaited"] = false;
  if (o.max_parallel != 0) args["max_parallel"] = o.max_parallel;
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = conn->client.call("fork", args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    std::cout << reply.result.value("path", "") << '\n';
  }
  return 0;
}

void add_fork(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<ForkOptions>();
  auto* sub = app.add_subcommand("fork", "open a sub-scope; prints its path");
  sub->add_option("--scope", o->scope, "parent scope (default: $TRAIO_SCOPE or /)");
  sub->add_option("--name", o->name, "the scope's name");
  sub->add_option("--timeout", o->timeout, "cancel it after D (rule 6)");
  sub->add_flag("--master", o->master, "its end stops the parent (rule 4)");
  sub->add_flag("--no-bubble", o->no_bubble, "its failure stays its own (rule 8)");
  sub->add_flag("--no-await", o->no_await, "does not keep a finalized parent alive (rule 5)");
  sub->add_option("--max-parallel", o->max_parallel, "run at most N children at once, queue the rest (§6)")
      ->check(CLI::Range(std::size_t{1}, static_cast<std::size_t>(kMaxParallelLimit)));
  commands.add(sub, [o](const Context& ctx) { return run_fork(ctx, *o); });
}

}  // namespace

void add_submit_commands(CLI::App& app, Commands& commands) {
  add_spawn(app, commands);
  add_fork(app, commands);
}

void add_exit_code_option(CLI::App& sub, std::string& value) {
  sub.add_option("--exit-code", value, "'child': exit with the deciding job's exit code")
      ->check(CLI::IsMember({"child"}));
}

}  // namespace traio::cli
