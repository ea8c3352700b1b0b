#pragma once
// The last lifecycle events (docs/protocol.md `events`): the server keeps a ring of them so a
// client that connects late still sees what just happened.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/core/lifecycle_event.hpp"

namespace traio {

inline constexpr std::size_t kEventRingSize = 1000;

// An event as kept: encoded once, since every `events` request sends the whole ring again.
struct KeptEvent {
  std::string path;
  std::string json_text;  // event_json(event).dump()
};

class EventRing {
 public:
  explicit EventRing(std::size_t capacity = kEventRingSize) : capacity_(capacity) {}
  void push(const LifecycleEvent& event);
  const std::deque<KeptEvent>& events() const { return events_; }

 private:
  std::size_t capacity_;
  std::deque<KeptEvent> events_;  // oldest first
};

// True when `path` is `filter` or below it, on segment boundaries ("/ci" matches "/ci/a",
// not "/cix"); "/" matches everything.
bool path_in_subtree(std::string_view path, std::string_view filter);

nlohmann::json event_json(const LifecycleEvent& event);
std::string encode_event_text(const LifecycleEvent& event);  // one line of JSON, no newline
// {"id":N,"event":...}\n around an already encoded event: the protocol's event line.
std::string event_line(std::int64_t id, std::string_view event_text);

}  // namespace traio
