#include "config/after_parser.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/node_path.hpp"

namespace traio {

using nlohmann::json;

namespace {

// Far more than any sibling list a person writes; bounds hostile input.
constexpr std::size_t kMaxAfter = 4096;
constexpr std::size_t kCycleNamesShown = 8;

std::optional<std::string> read_sibling_name(const json& v, const std::string& p, FieldErrors& e) {
  auto name = read_string(v, p, e);
  if (!name) return std::nullopt;
  if (is_valid_name(*name)) return name;
  e.add(p, name_error(*name));
  return std::nullopt;
}

std::optional<AfterWhen> read_when(const json& v, const std::string& p, FieldErrors& e) {
  constexpr std::string_view kChoices = R"("started", "ready", "succeeded", "done" or "failed")";
  if (!v.is_string()) {
    e.wrong_type(p, kChoices, v);
    return std::nullopt;
  }
  auto when = after_when_from_string(v.get_ref<const std::string&>());
  if (!when) e.add(p, fmt::format("expected {}, got {}", kChoices, json_excerpt(v)));
  return when;
}

std::optional<AfterSpec> read_entry(const json& v, const std::string& p, FieldErrors& e) {
  if (v.is_string()) {
    auto name = read_sibling_name(v, p, e);
    if (!name) return std::nullopt;
    return AfterSpec{*name, AfterWhen::Ready};
  }
  if (!v.is_object()) {
    e.wrong_type(p, "sibling name or {\"name\", \"when\"}", v);
    return std::nullopt;
  }
  if (!v.contains("name")) e.add(field_path(p, "name"), "missing (the sibling to wait for)");
  AfterSpec entry;
  const std::size_t errors_before = e.count();
  for_each_field(v, p, e, [&](std::string_view key, const json& value, const std::string& kp) {
    if (key == "name") {
      if (auto name = read_sibling_name(value, kp, e)) entry.name = *name;
    } else if (key == "when") {
      if (auto when = read_when(value, kp, e)) entry.when = *when;
    } else {
      return false;
    }
    return true;
  });
  if (e.count() != errors_before) return std::nullopt;
  return entry;
}

// The valid sibling names of a child's `after`, with each entry's index; entries that are
// not valid were reported by read_after.
std::vector<std::pair<std::size_t, std::string>> after_names(const json& child) {
  std::vector<std::pair<std::size_t, std::string>> out;
  auto it = child.find("after");
  if (it == child.end() || !it->is_array()) return out;
  for (std::size_t j = 0; j < it->size(); ++j) {
    const json& entry = (*it)[j];
    const json* name = &entry;
    if (entry.is_object()) {
      auto n = entry.find("name");
      if (n == entry.end()) continue;
      name = &*n;
    }
    if (name->is_string() && is_valid_name(name->get_ref<const std::string&>()))
      out.emplace_back(j, name->get<std::string>());
  }
  return out;
}

// Finds the dependency cycles among siblings, one report per cycle found. Nodes that wait
// on nothing left are peeled off first (Kahn); every node that remains waits on another
// that remains, so following the waits from one must come back around. Iterative: a
// sibling list can be long, and recursion would put its length on the stack.
class CycleFinder {
 public:
  explicit CycleFinder(std::vector<std::vector<std::size_t>> waits_on)
      : waits_on_(std::move(waits_on)), waited_by_(waits_on_.size()), open_(waits_on_.size()),
        gone_(waits_on_.size(), false) {
    for (std::size_t i = 0; i < waits_on_.size(); ++i) {
      open_[i] = waits_on_[i].size();
      for (std::size_t target : waits_on_[i]) waited_by_[target].push_back(i);
      if (open_[i] == 0) peel_.push_back(i);
    }
  }

  // Each cycle as indices, starting at its lowest index.
  std::vector<std::vector<std::size_t>> cycles() {
    std::vector<std::vector<std::size_t>> out;
    for (std::size_t start = 0;; ++start) {
      drain();
      while (start < gone_.size() && gone_[start]) ++start;
      if (start == gone_.size()) return out;
      out.push_back(walk(start));
      for (std::size_t i : out.back()) gone_[i] = true;
      for (std::size_t i : out.back()) release(i);
    }
  }

 private:
  void release(std::size_t i) {
    for (std::size_t waiter : waited_by_[i])
      if (!gone_[waiter] && --open_[waiter] == 0) peel_.push_back(waiter);
  }

  void drain() {
    while (!peel_.empty()) {
      std::size_t i = peel_.back();
      peel_.pop_back();
      if (gone_[i]) continue;
      gone_[i] = true;
      release(i);
    }
  }

  std::vector<std::size_t> walk(std::size_t start) {
    std::map<std::size_t, std::size_t> position;
    std::vector<std::size_t> order;
    std::size_t at = start;
    while (position.emplace(at, order.size()).second) {
      order.push_back(at);
      for (std::size_t next : waits_on_[at])
        if (!gone_[next]) {
          at = next;
          break;
        }
    }
    std::vector<std::size_t> cycle(order.begin() + static_cast<std::ptrdiff_t>(position[at]), order.end());
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    return cycle;
  }

  std::vector<std::vector<std::size_t>> waits_on_;
  std::vector<std::vector<std::size_t>> waited_by_;
  std::vector<std::size_t> open_;  // waits on this many siblings not yet peeled off
  std::vector<bool> gone_;
  std::vector<std::size_t> peel_;
};

}  // namespace

std::string valid_name_of(const json& node) {
  auto it = node.find("name");
  if (it == node.end() || !it->is_string() || !is_valid_name(it->get_ref<const std::string&>())) return {};
  return it->get<std::string>();
}

void read_after(const json& v, const std::string& p, FieldErrors& e, std::string_view own_name,
                std::vector<AfterSpec>& out) {
  if (!v.is_array()) return e.wrong_type(p, "array of sibling names", v);
  if (v.size() > kMaxAfter) return e.add(p, fmt::format("has {} elements, at most {}", v.size(), kMaxAfter));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string ip = index_path(p, i);
    auto entry = read_entry(v[i], ip, e);
    if (!entry) continue;
    if (entry->name == own_name)
      e.add(ip, fmt::format("'{}' is this node's own name: a node cannot wait for itself", entry->name));
    else if (!seen.insert(entry->name).second)
      e.add(ip, fmt::format("duplicate name '{}'", entry->name));
    else
      out.push_back(std::move(*entry));
  }
}

void check_sibling_after(const json& children, const std::string& path, FieldErrors& e) {
  if (!children.is_array()) return;
  std::map<std::string, std::size_t> index_of;  // duplicates are reported elsewhere: the first wins
  for (std::size_t i = 0; i < children.size(); ++i)
    if (children[i].is_object())
      if (std::string name = valid_name_of(children[i]); !name.empty()) index_of.emplace(name, i);
  std::vector<std::vector<std::size_t>> waits_on(children.size());
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (!children[i].is_object()) continue;
    std::string after_path = field_path(index_path(path, i), "after");
    for (const auto& [j, name] : after_names(children[i])) {
      auto it = index_of.find(name);
      if (it == index_of.end()) e.add(index_path(after_path, j), fmt::format("no sibling named '{}'", name));
      else if (it->second != i) waits_on[i].push_back(it->second);  // waiting for itself: reported already
    }
  }
  for (const auto& cycle : CycleFinder(std::move(waits_on)).cycles()) {
    std::string text;
    for (std::size_t k = 0; k < cycle.size(); ++k) {
      // A generated tree can hold a cycle of thousands: the message stays one readable line.
      if (k == kCycleNamesShown && cycle.size() > kCycleNamesShown + 1) {
        text += fmt::format("... ({} more) -> ", cycle.size() - k);
        break;
      }
      text += valid_name_of(children[cycle[k]]) + " -> ";
    }
    text += valid_name_of(children[cycle.front()]);
    e.add(field_path(index_path(path, cycle.front()), "after"), "cycle " + text);
  }
}

json after_to_json(const std::vector<AfterSpec>& after) {
  json out = json::array();
  for (const AfterSpec& entry : after) out.push_back({{"name", entry.name}, {"when", to_string(entry.when)}});
  return out;
}

}  // namespace traio
