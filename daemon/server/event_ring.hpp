#pragma once
// The last lifecycle events (docs/protocol.md `events`): the server keeps a ring of them so a
// client that connects late still sees what just happened.
#include <cstddef>
#include <deque>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/core/lifecycle_event.hpp"

namespace traio {

inline constexpr std::size_t kEventRingSize = 1000;

class EventRing {
 public:
  explicit EventRing(std::size_t capacity = kEventRingSize) : capacity_(capacity) {}
  void push(const LifecycleEvent& event);
  const std::deque<LifecycleEvent>& events() const { return events_; }

 private:
  std::size_t capacity_;
  std::deque<LifecycleEvent> events_;  // oldest first
};

// True when `path` is `filter` or below it, on segment boundaries ("/ci" matches "/ci/a",
// not "/cix"); "/" matches everything.
bool path_in_subtree(std::string_view path, std::string_view filter);

nlohmann::json event_json(const LifecycleEvent& event);

}  // namespace traio
