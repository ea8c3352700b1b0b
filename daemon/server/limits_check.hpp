#pragma once
// SPEC §6: a submission with `limits` the host cannot apply (no delegated cgroup v2
// controller) is refused whole, with `unsupported` and the missing controller, before any
// of it is created: a tree runs limited as written or not at all.
#include "common/protocol.hpp"
#include "config/node_spec.hpp"
#include "daemon/runners/supervisor.hpp"

namespace traio {

Status check_limits_supported(Supervisor& supervisor, const NodeSpec& spec);
Status check_limits_supported(Supervisor& supervisor, const JobSpec& job);

}  // namespace traio
