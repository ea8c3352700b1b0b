#pragma once
// Why a node ended the way it did: the child that decided it and its error. Causes chain
// down the tree to the deciding job (SPEC §1), so a scope's result names the job and its
// exit code however deep it is.
#include <memory>
#include <optional>
#include <string>

#include "common/node_state.hpp"

namespace traio {

struct Cause {
  std::string path;
  Outcome outcome = Outcome::None;
  std::string message;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::shared_ptr<const Cause> next;  // the decider's own cause, when it is a scope
};

}  // namespace traio
