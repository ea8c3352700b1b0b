#pragma once
// Who may do what (SPEC §5): root and the daemon's own user act on everything; another uid
// only on the nodes it created. Anyone may see the tree's shape and states (ps, events,
// wait); a node's spec and output (inspect, logs), which may hold secrets in argv, env or
// what the job prints, only its owner and privileged peers (issue 6).
#include "common/expected.hpp"
#include "daemon/core/node.hpp"

namespace traio {

bool is_privileged(Uid peer);
// cancel, finalize, timeout, claim: the node's owner or a privileged peer.
Status check_may_act(const Node& node, Uid peer);
// inspect and logs: the node's owner or a privileged peer.
Status check_may_read(const Node& node, Uid peer);
// fork, spawn, submit into `scope`: `/` is open to every peer, other scopes to their owner.
Status check_may_create_in(const Node& scope, Uid peer);
// A root daemon runs a client's jobs as that client (SPEC §5), so anyone may start them. A
// non-root daemon runs every job as itself: only a privileged peer may, else it would lend
// the peer the daemon's uid.
Status check_may_run_jobs(Uid peer);
// `user` and `group` of a process job (SPEC §2): only a root daemon switches users, and a
// non-root client may name only itself and groups it is in. Names are looked up here to
// compare ids; a root client's names are looked up when the job starts (an unknown user
// then fails the start, as a tree may create the user in an earlier step).
Status check_may_run_as(Uid peer, const std::string& user, const std::string& group);

}  // namespace traio
