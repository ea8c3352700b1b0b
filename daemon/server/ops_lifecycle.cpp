// spawn, fork, submit, finalize, cancel, timeout: protocol JSON into ScopeTree requests.
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "common/node_path.hpp"
#include "config/node_spec.hpp"
#include "daemon/server/access.hpp"
#include "daemon/server/limits_check.hpp"
#include "daemon/server/node_json.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"
#include "daemon/server/time_format.hpp"

namespace traio {
namespace {

using nlohmann::json;

// The new node's path; the node may already be gone from the history if it ended at once.
// A submission is accepted once the journal holds it durably (DESIGN: durability). If the
// journal cannot (a full disk), the node is cancelled at once and the client told why:
// nothing is accepted that a crash could make the daemon forget.
OpResult accepted(OpCall& call, const Expected<NodeId>& created) {
  if (!created) return created.error();
  const ScopeTree& tree = call.supervisor().tree();
  if (auto ok = call.context().commit_journal(); !ok) {
    (void)call.supervisor().act([&](const Now& now, ScopeTree& t, Effects& out) {
      return t.cancel(now, *created, "not accepted: " + ok.error().message, out);
    });
    return ok.error();
  }
  const Node* node = tree.find(*created);
  return json{{"path", node != nullptr ? node->path : std::string()}};
}

// Creates nodes with `create` (a ScopeTree call) for spawn, fork and submit. A journal known
// to fail refuses before anything is created; the new jobs start only once the journal holds
// them, so a submission refused by the journal never ran a process.
template <class Create>
OpResult create_accepted(OpCall& call, Create&& create) {
  if (auto ok = call.context().journal_ready(); !ok) return ok.error();
  Supervisor& supervisor = call.supervisor();
  supervisor.hold_starts();
  auto created = supervisor.act(std::forward<Create>(create));
  OpResult result = accepted(call, created);
  supervisor.release_starts();
  return result;
}

bool has_process(const NodeSpec& spec) {
  if (const auto* job = std::get_if<JobSpec>(&spec.node)) return job->kind == JobKind::Process;
  const auto& children = std::get<ScopeSpec>(spec.node).children;
  return std::any_of(children.begin(), children.end(), has_process);
}

// SPEC §5: creating under `scope` (and, for processes, running them) is the peer's right.
Status may_create(const OpCall& call, NodeId scope, bool runs_processes) {
  const Uid peer = call.session->peer_uid();
  if (auto ok = check_may_create_in(*call.supervisor().tree().find(scope), peer); !ok) return ok;
  return runs_processes ? check_may_run_jobs(peer) : ok_status();
}

// SPEC §2 user/group: checked for every process job of a spawn or a tree.
Status may_run_as(const OpCall& call, const JobSpec& job) {
  if (job.kind != JobKind::Process) return ok_status();
  return check_may_run_as(call.session->peer_uid(), job.user, job.group);
}

Status may_run_as(const OpCall& call, const NodeSpec& spec) {
  if (const auto* job = std::get_if<JobSpec>(&spec.node)) return may_run_as(call, *job);
  for (const NodeSpec& child : std::get<ScopeSpec>(spec.node).children)
    if (auto ok = may_run_as(call, child); !ok) return ok;
  return ok_status();
}

Status may_act(const OpCall& call, NodeId node) {
  return check_may_act(*call.supervisor().tree().find(node), call.session->peer_uid());
}

}  // namespace

OpResult op_spawn(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"scope", "job", "base_env"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto scope = node_arg(tree, args, "scope", "/");
  if (!scope) return scope.error();
  auto spec = spec_arg(args, "job", SpecKind::Job);
  if (!spec) return spec.error();
  auto* job = std::get_if<JobSpec>(&spec->node);
  if (job == nullptr) return invalid_request("job: expected a job, not a tree");
  auto base_env = base_env_arg(args);
  if (!base_env) return base_env.error();
  job->base_env = std::move(*base_env);
  if (auto ok = may_create(call, *scope, job->kind == JobKind::Process); !ok) return ok.error();
  if (auto ok = may_run_as(call, *job); !ok) return ok.error();
  if (auto ok = check_limits_supported(call.supervisor(), *job); !ok) return ok.error();
  Uid owner = call.session->peer_uid();
  return create_accepted(call, [&](const Now& now, ScopeTree& t, Effects& out) {
    return t.spawn(now, *scope, std::move(*job), std::move(spec->source), owner, out);
  });
}

OpResult op_fork(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"scope", "name", "timeout", "master", "bubble", "awaited", "max_parallel"});
      !ok)
    return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto scope = node_arg(tree, args, "scope", "/");
  if (!scope) return scope.error();
  auto options = fork_options_arg(args);
  if (!options) return options.error();
  if (auto ok = may_create(call, *scope, false); !ok) return ok.error();
  Uid owner = call.session->peer_uid();
  return create_accepted(call, [&](const Now& now, ScopeTree& t, Effects& out) {
    return t.fork(now, *scope, std::move(*options), owner, out);
  });
}

OpResult op_submit(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"scope", "tree"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto scope = node_arg(tree, args, "scope", "/");
  if (!scope) return scope.error();
  auto spec = spec_arg(args, "tree", SpecKind::Tree);
  if (!spec) return spec.error();
  if (auto ok = may_create(call, *scope, has_process(*spec)); !ok) return ok.error();
  if (auto ok = may_run_as(call, *spec); !ok) return ok.error();
  if (auto ok = check_limits_supported(call.supervisor(), *spec); !ok) return ok.error();
  Uid owner = call.session->peer_uid();
  return create_accepted(call, [&](const Now& now, ScopeTree& t, Effects& out) {
    return t.submit(now, *scope, *spec, owner, out);
  });
}

OpResult op_finalize(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path"}); !ok) return ok.error();
  auto id = node_arg(call.supervisor().tree(), args, "path", std::nullopt);
  if (!id) return id.error();
  if (auto ok = may_act(call, *id); !ok) return ok.error();
  Status done = call.supervisor().act(
      [&](const Now& now, ScopeTree& t, Effects& out) { return t.finalize(now, *id, out); });
  if (!done) return done.error();
  return json::object();
}

OpResult op_cancel(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "reason", "force"}); !ok) return ok.error();
  auto id = node_arg(call.supervisor().tree(), args, "path", std::nullopt);
  if (!id) return id.error();
  if (auto ok = may_act(call, *id); !ok) return ok.error();
  auto reason = string_arg(args, "reason", "cancelled by request");
  if (!reason) return reason.error();
  // SPEC §6: force also ends cleanup children and children held by a reverse stop order.
  auto force = bool_arg(args, "force", false);
  if (!force) return force.error();
  Status done = call.supervisor().act([&](const Now& now, ScopeTree& t, Effects& out) {
    return *force ? t.force_cancel(now, *id, std::move(*reason), out) : t.cancel(now, *id, std::move(*reason), out);
  });
  if (!done) return done.error();
  return json::object();
}

OpResult op_timeout(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "timeout"}); !ok) return ok.error();
  if (!args.contains("timeout")) return invalid_request("timeout: missing (a duration, or null for none)");
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  if (auto ok = may_act(call, *id); !ok) return ok.error();
  auto timeout = duration_arg(args, "timeout");
  if (!timeout) return timeout.error();
  Status done = call.supervisor().act(
      [&](const Now& now, ScopeTree& t, Effects& out) { return t.set_timeout(now, *id, *timeout, out); });
  if (!done) return done.error();
  const Node* node = tree.find(*id);
  std::optional<WallTime> deadline;
  if (node != nullptr) deadline = effective_deadline(tree, *node);
  return json{{"deadline", deadline ? json(format_rfc3339(*deadline)) : json(nullptr)}};
}

}  // namespace traio
