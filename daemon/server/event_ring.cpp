#include "daemon/server/event_ring.hpp"

#include <fmt/format.h>

#include "daemon/server/time_format.hpp"

namespace traio {

void EventRing::push(const LifecycleEvent& event) {
  if (capacity_ == 0) return;
  if (events_.size() == capacity_) events_.pop_front();
  events_.push_back({event.path, encode_event_text(event)});
}

bool path_in_subtree(std::string_view path, std::string_view filter) {
  if (filter.empty() || filter == "/") return true;
  if (filter.back() == '/') filter.remove_suffix(1);
  if (path.substr(0, filter.size()) != filter) return false;
  return path.size() == filter.size() || path[filter.size()] == '/';
}

nlohmann::json event_json(const LifecycleEvent& event) {
  nlohmann::json outcome = nullptr;
  if (event.outcome != Outcome::None) outcome = std::string(to_string(event.outcome));
  return {{"seq", event.seq},
          {"time", format_rfc3339(event.time)},
          {"kind", std::string(to_string(event.kind))},
          {"path", event.path},
          {"state", std::string(to_string(event.state))},
          {"outcome", outcome},
          {"message", event.message}};
}

std::string encode_event_text(const LifecycleEvent& event) {
  return event_json(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string event_line(std::int64_t id, std::string_view event_text) {
  return fmt::format("{{\"id\":{},\"event\":{}}}\n", id, event_text);
}

}  // namespace traio
