#pragma once
// A node of an earlier daemon run, read back from the journal after a restart: it is
// already done (its recorded outcome, or `lost` when that run ended while it was live) and
// is added to the tree only so that `inspect` and `ps --all` still show it, within history.
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/node_state.hpp"
#include "config/node_spec.hpp"
#include "daemon/core/cause.hpp"
#include "daemon/core/node.hpp"
#include "daemon/core/time.hpp"

namespace traio {

struct RestoredNode {
  NodeType type = NodeType::Job;
  JobKind kind = JobKind::Process;  // jobs only
  std::string name;
  NodeFlags flags;
  Uid owner = 0;
  Outcome outcome = Outcome::Lost;
  std::string reason;
  std::shared_ptr<const Cause> cause;
  std::optional<int> pid;  // the last run's
  std::optional<int> exit_code;
  std::optional<int> signal;
  unsigned restarts = 0;
  WallTime created_at{};
  std::optional<WallTime> started_at;
  std::optional<WallTime> ended_at;
  nlohmann::json source;  // the spec as submitted, for inspect
};

}  // namespace traio
