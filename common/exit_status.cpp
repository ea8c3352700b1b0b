#include "common/exit_status.hpp"

#include "common/exit_code.hpp"
#include "common/signal_name.hpp"

namespace traio {

namespace {

using nlohmann::json;

// A signal is written back by name ("TERM"); accept a number too.
std::optional<int> signal_number(const json& value) {
  if (value.is_number_integer()) return value.get<int>();
  if (value.is_string()) {
    if (auto signo = parse_signal(value.get<std::string>())) return *signo;
  }
  return std::nullopt;
}

// exit_code, or 128+signal, of one node or cause object.
std::optional<int> own_code(const json& obj) {
  if (!obj.is_object()) return std::nullopt;
  if (auto it = obj.find("exit_code"); it != obj.end() && it->is_number_integer())
    return it->get<int>();
  if (auto it = obj.find("signal"); it != obj.end()) {
    if (auto signo = signal_number(*it)) return 128 + *signo;
  }
  return std::nullopt;
}

}  // namespace

Outcome node_outcome(const json& node) {
  if (!node.is_object()) return Outcome::None;
  auto it = node.find("outcome");
  if (it == node.end() || !it->is_string()) return Outcome::None;
  return outcome_from_string(it->get<std::string>()).value_or(Outcome::None);
}

std::optional<int> child_exit_code(const json& node) {
  if (!node.is_object()) return std::nullopt;
  if (node.value("type", "") == "job") {
    if (auto code = own_code(node)) return code;
  }
  std::optional<int> deepest;
  const json* cause = node.contains("cause") ? &node["cause"] : nullptr;
  // Causes chain down to the deciding job; the deepest code is that job's own.
  for (int depth = 0; cause != nullptr && cause->is_object() && depth < 1000; ++depth) {
    if (auto code = own_code(*cause)) deepest = code;
    cause = cause->contains("cause") ? &(*cause)["cause"] : nullptr;
  }
  return deepest;
}

int exit_code_for_node(const json& node, ExitCodeMode mode) {
  const Outcome outcome = node_outcome(node);
  switch (mode) {
    case ExitCodeMode::Child:
      if (auto code = child_exit_code(node)) return *code;
      break;
    case ExitCodeMode::Outcome:
      break;
  }
  if (outcome == Outcome::None) return as_int(ExitCode::WaitExpired);
  return as_int(exit_code_for(outcome));
}

}  // namespace traio
