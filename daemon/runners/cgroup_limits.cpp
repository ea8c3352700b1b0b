#include "daemon/runners/cgroup_limits.hpp"

#include <fmt/format.h>

#include "config/limits_parser.hpp"
#include "daemon/os/cgroup_limits.hpp"
#include "daemon/runners/logger.hpp"

namespace traio {

namespace {

constexpr const char* kControllers[] = {"memory", "cpu", "pids"};

}  // namespace

void CgroupLimits::set_dirs(std::string own, std::string jobs) {
  own_ = std::move(own);
  jobs_ = std::move(jobs);
  probed_ = false;
}

// The jobs' directory holds no process, so it may hand controllers to its children once
// the daemon's own cgroup hands them to it; the daemon's cgroup can do that only where it
// is the root or holds no process itself (the kernel's "no internal processes" rule):
// where it cannot, the controller is missing and the reason says so.
void CgroupLimits::probe() {
  probed_ = true;
  why_not_.clear();
  if (jobs_.empty()) {
    for (const char* c : kControllers)
      why_not_[c] = fmt::format("the cgroup v2 controller '{}' cannot be had: traiod has no cgroup v2 directory "
                                "for jobs (no writable cgroup v2 hierarchy, or TRAIOD_CGROUPS=off)", c);
    return;
  }
  auto offered = os::read_cgroup_list(jobs_, "cgroup.controllers");
  for (const char* c : kControllers) {
    if (!offered || !os::list_has(*offered, c)) {
      auto own_offers = os::read_cgroup_list(own_, "cgroup.controllers");
      if (!own_offers || !os::list_has(*own_offers, c)) {
        why_not_[c] = fmt::format("the cgroup v2 controller '{}' is not available to traiod's cgroup {} "
                                  "(its cgroup.controllers: '{}'): delegate it, or use cgroup v2 for it",
                                  c, own_, own_offers ? *own_offers : std::string());
        continue;
      }
      if (auto on = os::enable_controller(own_, c); !on) {
        why_not_[c] = fmt::format("cannot enable the cgroup v2 controller '{}' in {}/cgroup.subtree_control: {}", c,
                                  own_, on.error().message());
        continue;
      }
    }
    if (auto on = os::enable_controller(jobs_, c); !on)
      why_not_[c] = fmt::format("cannot enable the cgroup v2 controller '{}' in {}/cgroup.subtree_control: {}", c,
                                jobs_, on.error().message());
  }
  auto enabled = os::read_cgroup_list(jobs_, "cgroup.subtree_control");
  enabled_ = enabled ? *enabled : std::string();
}

std::optional<std::string> CgroupLimits::missing(const char* controller) const {
  auto it = why_not_.find(controller);
  if (it != why_not_.end()) return it->second;
  if (!os::list_has(enabled_, controller))
    return fmt::format("the cgroup v2 controller '{}' is not enabled for traiod's jobs", controller);
  return std::nullopt;
}

std::optional<std::string> CgroupLimits::unavailable(const LimitsSpec& limits) {
  if (!probed_) probe();
  if (limits.memory_bytes)
    if (auto why = missing("memory")) return why;
  if (limits.cpu_percent)
    if (auto why = missing("cpu")) return why;
  if (limits.pids)
    if (auto why = missing("pids")) return why;
  return std::nullopt;
}

os::Result<void> CgroupLimits::apply(int dir, const LimitsSpec& limits) {
  if (limits.memory_bytes) {
    if (auto ok = os::write_cgroup_file(dir, "memory.max", std::to_string(*limits.memory_bytes)); !ok) return ok;
    // No swap beyond the limit: otherwise a job over its memory pages out instead of being
    // OOM-killed. Missing without swap accounting; that is fine.
    (void)os::write_cgroup_file(dir, "memory.swap.max", "0");
  }
  if (limits.cpu_percent)
    if (auto ok = os::write_cgroup_file(dir, "cpu.max", cpu_max_text(*limits.cpu_percent)); !ok) return ok;
  if (limits.pids)
    if (auto ok = os::write_cgroup_file(dir, "pids.max", std::to_string(*limits.pids)); !ok) return ok;
  return {};
}

std::string CgroupLimits::parent_for(const std::vector<ScopeLimit>& scopes, std::optional<os::CgroupJanitor>& janitor,
                                     std::string& failure) {
  std::string parent = jobs_;
  if (parent.empty()) {
    failure = "traiod has no cgroup v2 directory for jobs";
    return {};
  }
  for (const ScopeLimit& scope : scopes) {
    const std::string path = fmt::format("{}/scope-{}", parent, scope.id);
    auto it = scopes_.find(scope.id);
    if (it == scopes_.end() || it->second.dir.path() != path) {
      auto made = os::CgroupDir::create(path);
      if (!made && made.error().value() == EEXIST && janitor) {
        janitor->drain();  // the scope's previous directory, its jobs having ended, is still queued
        made = os::CgroupDir::create(path);
      }
      if (!made) {
        failure = fmt::format("cannot create the cgroup {} of its scope: {}", path, made.error().message());
        return {};
      }
      if (auto ok = apply(made->fd(), scope.limits); !ok) {
        failure = fmt::format("cannot apply the limits of its scope to {}: {}", path, ok.error().message());
        return {};
      }
      // Its children (jobs, inner scopes) get every controller it has.
      for (const char* c : kControllers)
        if (os::list_has(enabled_, c)) (void)os::enable_controller(path, c);
      it = scopes_.insert_or_assign(scope.id, ScopeDir{std::move(*made), 0}).first;
    }
    parent = path;
  }
  for (const ScopeLimit& scope : scopes) ++scopes_[scope.id].jobs;
  return parent;
}

void CgroupLimits::release(const std::vector<ScopeLimit>& scopes, std::optional<os::CgroupJanitor>& janitor) {
  // Innermost first: a directory goes only once the ones inside it have.
  for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
    auto it = scopes_.find(scope->id);
    if (it == scopes_.end() || --it->second.jobs > 0) continue;
    if (janitor) janitor->remove(std::move(it->second.dir));
    scopes_.erase(it);  // without a janitor, ~CgroupDir removes it here
  }
}

}  // namespace traio
