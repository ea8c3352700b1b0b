#include "daemon/server/limits_check.hpp"

#include <fmt/format.h>

namespace traio {

namespace {

Status check(Supervisor& supervisor, const std::optional<LimitsSpec>& limits, const std::string& where) {
  if (!limits) return ok_status();
  if (auto why = supervisor.limits_unavailable(*limits))
    return Error{ErrorCode::Unsupported, fmt::format("limits of {}: this host cannot apply them: {}", where, *why)};
  return ok_status();
}

Status check_node(Supervisor& supervisor, const NodeSpec& spec, const std::string& where) {
  if (const auto* job = std::get_if<JobSpec>(&spec.node)) return check(supervisor, job->limits, where);
  const auto& scope = std::get<ScopeSpec>(spec.node);
  if (auto ok = check(supervisor, scope.limits, where); !ok) return ok;
  for (const NodeSpec& child : scope.children) {
    const std::string name = child.name().empty() ? std::string("a child") : child.name();
    if (auto ok = check_node(supervisor, child, where == "the tree" ? "'" + name + "'" : where + "/" + name); !ok)
      return ok;
  }
  return ok_status();
}

}  // namespace

Status check_limits_supported(Supervisor& supervisor, const NodeSpec& spec) {
  return check_node(supervisor, spec, "the tree");
}

Status check_limits_supported(Supervisor& supervisor, const JobSpec& job) {
  return check(supervisor, job.limits, "the job");
}

}  // namespace traio
