#pragma once
// `after` conditions (SPEC §2, §6 "Dependencies"): whether a sibling's state lets a pending
// node start, keeps it waiting, or can no longer let it start (the node is then skipped).
#include <string>

#include "config/node_spec.hpp"
#include "daemon/core/node.hpp"

namespace traio {

enum class AfterStatus {
  Met,      // the condition holds
  Waiting,  // not yet; the sibling is live
  Never,    // the sibling is done and the condition is false: it can no longer be met
};

// started: a job got its first start, a scope left Pending; ready: the `ready` flag (a scope
// or async job: succeeded); succeeded; done: any outcome; failed: failed or timed_out.
AfterStatus after_status(const Node& dep, AfterWhen when);

// "waiting for db (ready), migrate (succeeded)": the unmet entries of a pending node.
std::string after_waiting_text(const Node& n);

}  // namespace traio
