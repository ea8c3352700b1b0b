#pragma once
// States and outcomes of nodes (SPEC §1). A state says where a node is; the outcome says
// why it ended, and the first cause is kept. Both have a stable string form used by logs
// and the protocol.
#include <optional>
#include <string_view>

#include "common/error_code.hpp"

namespace traio {

enum class NodeType { Scope, Job };

enum class NodeState {
  // jobs
  Pending,
  Queued,
  Running,
  Paused,
  Stopping,
  // scopes
  Open,
  Finalized,
  Cancelling,
  // both
  Done,
};

enum class Outcome {
  None,  // not decided yet
  Succeeded,
  Failed,
  TimedOut,
  Cancelled,
  Skipped,
  Lost,
};

std::string_view to_string(NodeType type);
std::string_view to_string(NodeState state);
std::string_view to_string(Outcome outcome);  // None is "" (the protocol writes null)
std::optional<NodeType> node_type_from_string(std::string_view text);
std::optional<NodeState> node_state_from_string(std::string_view text);
std::optional<Outcome> outcome_from_string(std::string_view text);

// Failed and TimedOut are failures (rule 3); Cancelled and Skipped are not (rule 8, §6).
bool is_failure(Outcome outcome);

}  // namespace traio
