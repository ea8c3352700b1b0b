#include "cli/exit_status.hpp"

#include "common/exit_code.hpp"

namespace traio::cli {

int exit_code_for_wait(const nlohmann::json& wait_result, ExitCodeMode mode) {
  if (wait_result.value("expired", false)) return as_int(ExitCode::WaitExpired);
  auto it = wait_result.find("nodes");
  if (it == wait_result.end() || !it->is_array()) return 0;
  for (const auto& node : *it) {
    if (node_outcome(node) != Outcome::Succeeded) return exit_code_for_node(node, mode);
  }
  // All succeeded: with --exit-code child a job that exited with an accepted non-zero code
  // (success_exit_codes) still reports it, as systemd-run --wait does.
  if (mode == ExitCodeMode::Child && it->size() == 1) return exit_code_for_node((*it)[0], mode);
  return 0;
}

}  // namespace traio::cli
