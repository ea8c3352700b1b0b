// signal (SPEC §3 `traioctl signal PATH SIGNAL`): a signal to a job's whole process tree,
// or to every running process job of a scope's subtree. Not a stop: no node changes state,
// and sent_signal stays unset (it says that traiod stopped the job), so a job that dies of
// a signal sent this way ends `failed`, as if anyone else had sent it.
#include <fmt/format.h>

#include "common/signal_name.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/access.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {
namespace {

using nlohmann::json;

// A name ("TERM", "SIGTERM", "term") or a number, as in job specs (SPEC §2).
Expected<int> signal_arg(const json& args) {
  auto it = args.find("signal");
  if (it == args.end()) return invalid_request("signal: missing (a name such as TERM, or a number)");
  Expected<int> signo = Error{};
  if (it->is_string()) {
    signo = parse_signal(it->get<std::string>());
  } else if (it->is_number_integer()) {
    signo = signal_from_number(it->get<long long>());
  } else {
    return invalid_request("signal: expected a signal name or number");
  }
  if (!signo) return invalid_request(fmt::format("signal: {}", signo.error().message));
  return signo;
}

struct Tally {
  std::size_t signalled = 0;
  std::optional<Error> failure;  // the first error other than "runs no process"
};

// Depth first over the live subtree. Jobs the peer may not act on are left out, so that
// a scope of one's own gives no power over a job someone privileged spawned into it.
void signal_subtree(Supervisor& supervisor, const Node& node, Uid peer, int signo, Tally& tally) {
  const ScopeTree& tree = supervisor.tree();
  if (node.is_scope()) {
    for (NodeId id : node.children) {
      const Node* child = tree.find(id);
      if (child != nullptr && child->is_live()) signal_subtree(supervisor, *child, peer, signo, tally);
    }
    return;
  }
  if (!node.job || node.job->kind != JobKind::Process || !check_may_act(node, peer)) return;
  Status sent = supervisor.signal(node.id, signo);
  if (sent) {
    ++tally.signalled;
  } else if (sent.error().code != ErrorCode::NotFound && !tally.failure) {
    log(LogLevel::Error, "signal {}: {}", node.path, sent.error().message);
    tally.failure = sent.error();
  }
}

}  // namespace

OpResult op_signal(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "signal"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  const Node& node = *tree.find(*id);
  const Uid peer = call.session->peer_uid();
  if (auto ok = check_may_act(node, peer); !ok) return ok.error();  // as for cancel
  auto signo = signal_arg(args);
  if (!signo) return signo.error();
  if (!node.is_scope() && node.job && node.job->kind != JobKind::Process)
    return invalid_request(fmt::format("{} is a {} job: it has no process to signal", node.path,
                                       to_string(node.job->kind)));
  Tally tally;
  signal_subtree(call.supervisor(), node, peer, *signo, tally);
  if (tally.signalled == 0 && tally.failure) return *tally.failure;
  return json{{"signalled", tally.signalled}};
}

}  // namespace traio
