#include "common/node_state.hpp"

#include <array>

namespace traio {

std::string_view to_string(NodeType type) {
  switch (type) {
    case NodeType::Scope: return "scope";
    case NodeType::Job: return "job";
  }
  return "job";  // unreachable: the switch is exhaustive
}

std::string_view to_string(NodeState state) {
  switch (state) {
    case NodeState::Pending: return "pending";
    case NodeState::Queued: return "queued";
    case NodeState::Running: return "running";
    case NodeState::Paused: return "paused";
    case NodeState::Stopping: return "stopping";
    case NodeState::Open: return "open";
    case NodeState::Finalized: return "finalized";
    case NodeState::Cancelling: return "cancelling";
    case NodeState::Done: return "done";
  }
  return "done";  // unreachable: the switch is exhaustive
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::None: return "";  // the protocol writes null
    case Outcome::Succeeded: return "succeeded";
    case Outcome::Failed: return "failed";
    case Outcome::TimedOut: return "timed_out";
    case Outcome::Cancelled: return "cancelled";
    case Outcome::Skipped: return "skipped";
    case Outcome::Lost: return "lost";
  }
  return "";  // unreachable: the switch is exhaustive
}

namespace {

// Finds the enumerator whose string form is `text`; each list holds every enumerator.
template <class E, std::size_t N>
std::optional<E> find_by_name(const std::array<E, N>& all, std::string_view text) {
  for (E e : all)
    if (to_string(e) == text) return e;
  return std::nullopt;
}

}  // namespace

std::optional<NodeType> node_type_from_string(std::string_view text) {
  return find_by_name(std::array{NodeType::Scope, NodeType::Job}, text);
}

std::optional<NodeState> node_state_from_string(std::string_view text) {
  return find_by_name(
      std::array{NodeState::Pending, NodeState::Queued, NodeState::Running, NodeState::Paused,
                 NodeState::Stopping, NodeState::Open, NodeState::Finalized,
                 NodeState::Cancelling, NodeState::Done},
      text);
}

std::optional<Outcome> outcome_from_string(std::string_view text) {
  // "" is not accepted back as None: an undecided outcome is written as null, not "".
  if (text.empty()) return std::nullopt;
  return find_by_name(std::array{Outcome::Succeeded, Outcome::Failed, Outcome::TimedOut,
                                 Outcome::Cancelled, Outcome::Skipped, Outcome::Lost},
                      text);
}

bool is_failure(Outcome outcome) {
  switch (outcome) {
    case Outcome::Failed:
    case Outcome::TimedOut:
      return true;  // rule 3
    case Outcome::Lost:
      // The daemon lost track of it (crash): we cannot claim success, but it is no
      // failure of the job itself, so it does not bubble.
      return false;
    case Outcome::None:
    case Outcome::Succeeded:
    case Outcome::Cancelled:  // rule 8
    case Outcome::Skipped:    // §6: skipped is no failure
      return false;
  }
  return false;
}

}  // namespace traio
