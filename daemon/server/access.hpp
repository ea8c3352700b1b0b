#pragma once
// Who may do what (SPEC §5): root and the daemon's own user act on everything; another uid
// only on the nodes it created. Anyone may read (ps, inspect, logs, events, wait).
#include "common/expected.hpp"
#include "daemon/core/node.hpp"

namespace traio {

bool is_privileged(Uid peer);
// cancel, finalize, timeout, claim: the node's owner or a privileged peer.
Status check_may_act(const Node& node, Uid peer);
// fork, spawn, submit into `scope`: `/` is open to every peer, other scopes to their owner.
Status check_may_create_in(const Node& scope, Uid peer);
// Jobs run as the daemon's user (switching to the client's uid is not supported yet), so
// only a privileged peer may start processes: anything else would lend it the daemon's uid.
Status check_may_run_jobs(Uid peer);

}  // namespace traio
