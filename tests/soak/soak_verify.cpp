// The second half of a soak client: waiting for what it submitted and checking that every
// node of it ended with an outcome (`ps --all` of the ended root, the done events for what
// left the history first).
#include <chrono>
#include <map>
#include <thread>

#include "tests/soak/soak_client.hpp"

namespace traio::soak {

using nlohmann::json;

namespace {

void collect(const json& node, std::map<std::string, json>& by_path) {
  by_path[node.value("path", "")] = node;
  if (node.contains("children"))
    for (const json& child : node["children"]) collect(child, by_path);
}

}  // namespace

void Client::verify_ended(std::size_t at_most) {
  std::size_t checked = 0;
  for (auto it = live_.begin(); it != live_.end() && checked < at_most;) {
    if (!it->open_scopes.empty()) {
      ++it;
      continue;
    }
    ++checked;
    if (verify(*it)) it = live_.erase(it);
    else ++it;
  }
}

bool Client::ended_without_creating(const std::string& node, const json& by_path) const {
  // Top down through the ancestors: a scope that never started (pending behind `after`, or
  // cancelled before its turn to start, when a sibling ended their scope at submit) never
  // created its children.
  for (std::size_t slash = node.find('/', 1); slash != std::string::npos; slash = node.find('/', slash + 1)) {
    const std::string ancestor = node.substr(0, slash);
    // Forgotten before its root (history): only the events can tell whether `node` existed.
    if (!by_path.contains(ancestor)) return !events_.was_created(node);
    if (!by_path[ancestor].contains("started_at")) return true;
  }
  return false;
}

bool Client::verify(const Submission& s) {
  CallResult r = request("ps", {{"path", s.root}, {"all", true}, {"brief", true}}, {"not_found"});
  if (r.status == CallResult::Status::DaemonError) {
    verify_by_events(s, "its root left the history");
    return true;
  }
  if (!r.ok()) return false;  // lost: try again later
  const json& root = r.result["node"];
  if (root.value("state", "") != "done") return false;
  std::map<std::string, json> found;
  collect(root, found);
  // Children that left the history before their root are found by their done events.
  if (found.size() < s.nodes.size() && !events_.wait_for_done(s.root, Millis(30000)))
    ledger_.fail("root " + s.root + " is done but its done event did not come within 30 s");
  json by_path = json::object();
  for (auto& [path, node] : found) by_path[path] = node;
  for (const auto& path : s.nodes) {
    auto it = found.find(path);
    if (it == found.end()) {
      if (ended_without_creating(path, by_path)) {
        ++ledger_.counts.never_created;
      } else if (auto outcome = events_.outcome_of(path)) {
        ++ledger_.counts.verified_by_events;
        ++ledger_.counts.nodes_verified;
        ledger_.count_outcome(*outcome);
      } else {
        ledger_.fail("node " + path + ": missing from `ps --all` of its ended root " + s.root +
                     " and no done event seen");
      }
      continue;
    }
    const json& node = it->second;
    const json outcome = node.contains("outcome") ? node["outcome"] : json();
    if (node.value("state", "") != "done" || !outcome.is_string()) {
      ledger_.fail("node " + path + " of ended " + s.root + " has no outcome: " + node.dump());
      continue;
    }
    ++ledger_.counts.nodes_verified;
    ledger_.count_outcome(outcome.get<std::string>());
  }
  return true;
}

void Client::verify_by_events(const Submission& s, const std::string& why) {
  if (!events_.wait_for_done(s.root, Millis(30000)))
    ledger_.fail("root " + s.root + " left the history but its done event did not come within 30 s");
  for (const auto& path : s.nodes) {
    if (auto outcome = events_.outcome_of(path)) {
      ++ledger_.counts.verified_by_events;
      ++ledger_.counts.nodes_verified;
      ledger_.count_outcome(*outcome);
      continue;
    }
    // A node below the root that was never created: its scope never started (see
    // ended_without_creating; the events do not say when a scope started).
    if (path.find('/', 1) != std::string::npos && !events_.was_created(path)) {
      ++ledger_.counts.never_created;
    } else {
      ledger_.fail("node " + path + ": no outcome (" + why + " and no done event was seen)");
    }
  }
}

void Client::drain(Millis limit) {
  try {
    if (!conn_.is_open()) reconnect();
    for (auto& s : live_) {
      for (const auto& scope : s.open_scopes)
        if (request("finalize", {{"path", scope}}, {"not_found"}).ok()) ++ledger_.counts.finalizes;
      s.open_scopes.clear();
    }
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!live_.empty() && std::chrono::steady_clock::now() < until) {
      // One wait for all that is left, then each checked: a forgotten root is not_found.
      json roots = json::array();
      for (const auto& s : live_) roots.push_back(s.root);
      (void)request("wait", {{"paths", roots}, {"timeout", "5s"}}, {"not_found"});
      verify_ended(live_.size());
      if (!live_.empty()) std::this_thread::sleep_for(Millis(100));
    }
    for (const auto& s : live_) {
      CallResult r = request("ps", {{"path", s.root}, {"all", true}, {"brief", true}}, {"not_found"});
      ledger_.fail("submission " + s.root + " still live after the drain: " + (r.ok() ? r.result.dump().substr(0, 2000) : r.describe()));
    }
    live_.clear();
  } catch (const std::exception& e) {
    ledger_.fail("client " + tag_ + " drain stopped on an exception (a malformed reply?): " + e.what());
  }
  conn_.close();
}

}  // namespace traio::soak
