#include "tests/soak/soak_events.hpp"

namespace traio::soak {

using nlohmann::json;

bool EventRecorder::start(const std::string& socket) {
  std::string why;
  auto c = Connection::open(socket, &why);
  if (!c) {
    ledger_.fail("event recorder: cannot connect: " + why);
    return false;
  }
  connection_ = std::move(*c);
  request_id_ = connection_.send("events", {{"path", "/"}, {"follow", true}});
  thread_ = std::thread([this] { follow(); });
  return true;
}

void EventRecorder::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  connection_.close();
}

std::optional<std::string> EventRecorder::outcome_of(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = done_.find(path);
  if (it == done_.end()) return std::nullopt;
  return it->second;
}

bool EventRecorder::wait_for_done(const std::string& path, Millis limit) const {
  std::unique_lock lock(mutex_);
  return done_added_.wait_for(lock, limit, [&] { return done_.count(path) != 0; });
}

bool EventRecorder::was_created(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return created_.count(path) != 0;
}

void EventRecorder::follow() {
  while (!stopping_) {
    auto line = connection_.read_line(Millis(200));
    if (!line) {
      if (connection_.is_open()) continue;
      if (!stopping_) ledger_.fail("event recorder: traiod closed the events stream (or sent a line that is no JSON)");
      return;
    }
    if (!line->contains("event")) {
      if (!stopping_) ledger_.fail("event recorder: the events stream ended: " + line->dump());
      return;
    }
    ++events_;
    const json& event = (*line)["event"];
    const std::string kind = event.value("kind", "");
    const std::string path = event.value("path", "");
    if (kind == "created") {
      std::lock_guard lock(mutex_);
      created_.insert(path);
    }
    if (kind != "done") continue;
    const json outcome = event.contains("outcome") ? event["outcome"] : json();
    if (!outcome.is_string()) {
      ledger_.fail("event recorder: a done event without an outcome: " + event.dump());
      continue;
    }
    std::lock_guard lock(mutex_);
    auto [it, fresh] = done_.emplace(path, outcome.get<std::string>());
    // Paths are never reused by the soak (unique names), so a second done is a second end.
    if (!fresh && path != "/") ledger_.fail("node " + path + " reported done twice: " + event.dump());
    done_added_.notify_all();
  }
}

}  // namespace traio::soak
