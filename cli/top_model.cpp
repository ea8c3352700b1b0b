#include "cli/top_model.hpp"

#include <algorithm>
#include <functional>

namespace traio::cli {

using nlohmann::json;

namespace {

std::string string_of(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<WallClock::time_point> time_of(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return parse_rfc3339(it->get<std::string>());
}

// Events do not say a node's type; these states only a scope has.
bool scope_state(const std::string& state) {
  return state == "open" || state == "finalized" || state == "cancelling";
}

}  // namespace

std::string parent_path(const std::string& path) {
  if (path.empty() || path == "/") return "";
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  if (path == "/") return "/";
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void TopModel::load_snapshot(const json& root) {
  nodes_.clear();
  cpu_.clear();
  root_ = root.value("path", "/");
  load(root, "");
}

void TopModel::load(const json& j, const std::string& parent) {
  const std::string path = j.value("path", "");
  if (path.empty()) return;
  TopNode& n = nodes_[path];
  n = TopNode{};
  n.path = path;
  n.name = path == root_ ? path : base_name(path);
  n.parent = parent;
  n.state = string_of(j, "state");
  n.outcome = string_of(j, "outcome");
  n.scope = string_of(j, "type") == "scope" || string_of(j, "kind") == "scope" || scope_state(n.state);
  n.ready = j.value("ready", false);
  n.paused = j.value("paused", false);
  n.restarts = j.value("restarts", 0LL);
  n.started = j.contains("started_at");
  n.created_at = time_of(j, "created_at");
  if (!n.created_at) n.created_at = time_of(j, "started_at");
  n.ended_at = time_of(j, "ended_at");
  if (!parent.empty()) nodes_[parent].children.push_back(path);
  if (auto it = j.find("children"); it != j.end() && it->is_array()) {
    if (!it->empty()) nodes_[path].scope = true;
    for (const auto& child : *it) load(child, path);
  }
}

TopNode& TopModel::add(const std::string& path) {
  if (auto it = nodes_.find(path); it != nodes_.end()) return it->second;
  const std::string parent = path == root_ ? std::string() : parent_path(path);
  if (!parent.empty()) {
    TopNode& up = add(parent);
    up.scope = true;
    up.children.push_back(path);
  }
  TopNode& n = nodes_[path];
  n.path = path;
  n.name = path == root_ ? path : base_name(path);
  n.parent = parent;
  return n;
}

void TopModel::remove(const std::string& path) {
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return;
  for (const auto& child : std::vector<std::string>(it->second.children)) remove(child);
  if (auto up = nodes_.find(it->second.parent); up != nodes_.end()) {
    auto& siblings = up->second.children;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), path), siblings.end());
  }
  cpu_.erase(path);
  nodes_.erase(path);
}

bool TopModel::apply_event(const json& event) {
  ++events_seen_;
  const std::string kind = string_of(event, "kind");
  const std::string path = string_of(event, "path");
  if (path.empty()) return false;
  auto it = nodes_.find(path);
  if (kind == "forgotten") {
    // An old run leaving the history must not take the new run of its path with it.
    if (it == nodes_.end() || it->second.live() || path == root_) return false;
    remove(path);
    return true;
  }
  if (kind == "created") {
    TopNode& n = add(path);
    // A new run of a path we hold (restart, retry): its earlier run's values go.
    n.outcome.clear();
    n.ended_at.reset();
    n.ready = n.paused = n.started = false;
    n.restarts = 0;
    n.last_log.clear();
    n.cpu_percent.reset();
    n.memory_bytes.reset();
    cpu_.erase(path);
    n.created_at = time_of(event, "time");
    it = nodes_.find(path);
  }
  if (it == nodes_.end()) return false;
  TopNode& n = it->second;
  if (const std::string state = string_of(event, "state"); !state.empty()) {
    n.state = state;
    if (scope_state(state)) n.scope = true;
  }
  if (const std::string outcome = string_of(event, "outcome"); !outcome.empty()) n.outcome = outcome;
  if (kind == "started") {
    if (n.started) ++n.restarts;
    n.started = true;
  } else if (kind == "ready") {
    n.ready = true;
  } else if (kind == "exited" || kind == "restarting") {
    n.ready = false;
  } else if (kind == "paused") {
    n.paused = true;
  } else if (kind == "resumed") {
    n.paused = false;
  } else if (kind == "done") {
    n.ended_at = time_of(event, "time");
    n.ready = n.paused = false;
    n.cpu_percent.reset();
  }
  return true;
}

bool TopModel::apply_log_line(const json& line, bool only_if_empty) {
  auto it = nodes_.find(string_of(line, "path"));
  if (it == nodes_.end()) return false;
  if (only_if_empty && !it->second.last_log.empty()) return false;
  it->second.last_log = string_of(line, "line");
  return true;
}

bool TopModel::apply_stats(const json& result, std::chrono::steady_clock::time_point at) {
  auto jobs = result.find("jobs");
  if (jobs == result.end() || !jobs->is_array()) return false;
  bool changed = false;
  for (const auto& job : *jobs) {
    if (!job.is_object()) continue;
    auto it = nodes_.find(string_of(job, "path"));
    if (it == nodes_.end()) continue;
    TopNode& n = it->second;
    if (auto mem = job.find("memory_bytes"); mem != job.end() && mem->is_number_integer()) {
      n.memory_bytes = mem->get<long long>();
      changed = true;
    }
    auto cpu = job.find("cpu_usec");
    if (cpu == job.end() || !cpu->is_number_integer()) continue;
    const CpuSample now{cpu->get<long long>(), at};
    if (auto prev = cpu_.find(n.path); prev != cpu_.end()) {
      const auto wall = std::chrono::duration_cast<std::chrono::microseconds>(at - prev->second.at).count();
      const long long used = now.cpu_usec - prev->second.cpu_usec;
      // A restarted process starts its counter again: no rate from across the restart.
      if (wall > 0 && used >= 0) n.cpu_percent = 100.0 * static_cast<double>(used) / static_cast<double>(wall);
      changed = true;
    }
    cpu_[n.path] = now;
  }
  return changed;
}

bool TopModel::prune_ended(WallClock::time_point now, std::chrono::milliseconds linger) {
  // Whole ended subtrees only: a live child keeps its ended parent's row, or it would hang
  // loose. From the root down: a subtree that goes is not looked into again.
  auto stale = [&](const TopNode& n) { return !n.live() && n.ended_at && now - *n.ended_at > linger; };
  std::function<bool(const TopNode&)> all_stale = [&](const TopNode& n) {
    if (!stale(n)) return false;
    for (const auto& child : n.children)
      if (auto c = nodes_.find(child); c != nodes_.end() && !all_stale(c->second)) return false;
    return true;
  };
  std::vector<std::string> gone;
  std::function<void(const TopNode&)> visit = [&](const TopNode& n) {
    for (const auto& child : n.children) {
      auto c = nodes_.find(child);
      if (c == nodes_.end()) continue;
      if (all_stale(c->second)) {
        gone.push_back(child);
      } else {
        visit(c->second);
      }
    }
  };
  if (const TopNode* top = root()) visit(*top);
  for (const auto& path : gone) remove(path);
  return !gone.empty();
}

const TopNode* TopModel::find(const std::string& path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::map<std::string, std::size_t> TopModel::counts() const {
  std::map<std::string, std::size_t> by;
  for (const auto& [path, n] : nodes_) {
    if (path == root_) continue;
    ++by[n.live() ? n.state : (n.outcome.empty() ? "done" : n.outcome)];
  }
  return by;
}

}  // namespace traio::cli
