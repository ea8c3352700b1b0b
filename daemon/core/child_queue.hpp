#pragma once
// SPEC §6 "Concurrency limit": the children of a scope that wait for a free slot, best
// first: higher priority, then earlier submission (node ids grow in submission order).
#include <cstddef>
#include <optional>
#include <set>

#include "daemon/core/node_id.hpp"

namespace traio {

class ChildQueue {
 public:
  void push(NodeId id, int priority) { entries_.insert(Entry{priority, id}); }
  void erase(NodeId id, int priority) { entries_.erase(Entry{priority, id}); }
  // The child to start next; nullopt when none waits.
  std::optional<NodeId> pop() {
    if (entries_.empty()) return std::nullopt;
    const NodeId id = entries_.begin()->id;
    entries_.erase(entries_.begin());
    return id;
  }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    int priority;
    NodeId id;
    bool operator<(const Entry& other) const {
      if (priority != other.priority) return priority > other.priority;  // higher first
      return id < other.id;                                              // then submission
    }
  };
  std::set<Entry> entries_;
};

}  // namespace traio
