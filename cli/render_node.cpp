#include "cli/render_node.hpp"

#include <cstdio>
#include <ctime>
#include <vector>

#include <fmt/format.h>

namespace traio::cli {

using nlohmann::json;

std::string format_age(std::chrono::milliseconds age) {
  const long long ms = age.count() < 0 ? 0 : age.count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  const long long s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{}h", s / 86400, s % 86400 / 3600);
}

std::optional<WallClock::time_point> parse_rfc3339(std::string_view text) {
  const std::string s(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto pos = static_cast<std::size_t>(consumed);
  long long millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    long long scale = 100;
    for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
    }
  }
  long long offset_s = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset_s = (s[pos] == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
  } else if (pos >= s.size() || (s[pos] != 'Z' && s[pos] != 'z')) {
    return std::nullopt;
  }
  const std::time_t t = ::timegm(&tm);
  return WallClock::from_time_t(t) - std::chrono::seconds(offset_s) +
         std::chrono::milliseconds(millis);
}

std::optional<std::chrono::milliseconds> node_age(const json& node, WallClock::time_point now) {
  auto time_of = [&](const char* key) -> std::optional<WallClock::time_point> {
    auto it = node.find(key);
    if (it == node.end() || !it->is_string()) return std::nullopt;
    return parse_rfc3339(it->get<std::string>());
  };
  auto from = time_of("created_at");
  if (!from) from = time_of("started_at");
  if (!from) return std::nullopt;
  const auto to = time_of("ended_at").value_or(now);
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - *from);
}

std::string scalar_text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string exit_text(const json& obj) {
  if (!obj.is_object()) return "";
  if (auto it = obj.find("exit_code"); it != obj.end() && !it->is_null())
    return "exit code " + scalar_text(*it);
  if (auto it = obj.find("signal"); it != obj.end() && !it->is_null())
    return "signal " + scalar_text(*it);
  return "";
}

std::string cause_lines(const json& cause, std::string_view indent) {
  std::string out;
  const json* link = &cause;
  for (int depth = 0; link->is_object() && depth < 1000; ++depth) {
    std::string line = fmt::format("{}caused by {}: {}", indent, link->value("path", "?"),
                                   scalar_text(link->value("outcome", json())));
    if (auto msg = link->value("message", std::string()); !msg.empty()) line += ": " + msg;
    if (auto ex = exit_text(*link); !ex.empty()) line += " (" + ex + ")";
    out += line + '\n';
    if (!link->contains("cause")) break;
    link = &(*link)["cause"];
  }
  return out;
}

namespace {

// "850ms", "2.1s", then as ages: "3m4s".
std::string format_countdown(std::chrono::milliseconds left) {
  const long long ms = left.count() < 0 ? 0 : left.count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < 60'000) return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0);
  return format_age(left);
}

std::string unmet_after_names(const json& node) {
  std::string names;
  auto after = node.find("after");
  if (after == node.end() || !after->is_array()) return names;
  for (const auto& entry : *after) {
    if (!entry.is_object() || entry.value("met", false)) continue;
    if (!names.empty()) names += ", ";
    names += entry.value("name", "?");
  }
  return names;
}

}  // namespace

std::string state_text(const json& node, WallClock::time_point now) {
  const std::string state = scalar_text(node.value("state", json()));
  // SPEC §6 pause: a paused scope keeps its state (open or finalized) and says it is paused.
  if (node.value("paused", false) && node.value("type", "") == "scope" && state != "done") {
    json plain = node;
    plain.erase("paused");
    return "paused, " + state_text(plain, now);
  }
  if (auto start = node.find("start_at"); state == "pending" && start != node.end() && start->is_string()) {
    auto at = parse_rfc3339(start->get<std::string>());  // SPEC §6 `delay`
    if (at) return "pending (delayed, starts in " + format_countdown(std::chrono::duration_cast<std::chrono::milliseconds>(*at - now)) + ")";
  }
  if (state == "pending") {
    const std::string names = unmet_after_names(node);
    return names.empty() ? state : "pending on " + names;
  }
  // SPEC §6: a scope with max_parallel shows how its slots are used.
  if (auto max = node.find("max_parallel"); max != node.end() && max->is_number() && state != "done") {
    return fmt::format("{} ({}/{} running, {} queued)", state, node.value("running_children", 0LL), max->get<long long>(),
                       node.value("queued_children", 0LL));
  }
  auto next = node.find("next_attempt");
  if (state == "running" && next != node.end() && next->is_string()) {
    auto at = parse_rfc3339(next->get<std::string>());
    if (!at) return state;
    const auto restarts = node.value("restarts", 0LL);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*at - now);
    return fmt::format("restarting in {} ({} restart{})", format_countdown(left), restarts, restarts == 1 ? "" : "s");
  }
  return state;
}

std::string wait_line(const json& node) {
  const json outcome = node.value("outcome", json());
  std::string line = node.value("path", "?") + " " +
                     (outcome.is_null() ? scalar_text(node.value("state", json())) : scalar_text(outcome));
  if (auto ex = exit_text(node); !ex.empty()) line += " " + ex;
  return line;
}

std::string inspect_text(const json& node) {
  static const std::vector<std::string> kFirst = {"path", "name", "type", "kind", "state",
                                                  "outcome", "reason"};
  std::string out;
  auto emit = [&](const std::string& key, const json& value) {
    if (key == "cause") {
      out += "cause: " + (value.is_null() ? std::string("-") : std::string()) + '\n';
      if (!value.is_null()) out += cause_lines(value, "  ");
      return;
    }
    if (key == "generations" && value.is_array()) {  // earlier runs (restart, retry), one a line
      out += "generations:\n";
      for (const auto& g : value)
        out += fmt::format("  {}: {} {} (ended {})\n", scalar_text(g.value("generation", json())),
                           scalar_text(g.value("outcome", json())), scalar_text(g.value("reason", json())),
                           scalar_text(g.value("ended_at", json())));
      return;
    }
    out += key + ": " + scalar_text(value) + '\n';
  };
  for (const auto& key : kFirst) {
    if (auto it = node.find(key); it != node.end()) emit(key, *it);
  }
  for (const auto& [key, value] : node.items()) {
    bool first = false;
    for (const auto& k : kFirst) first = first || k == key;
    if (!first) emit(key, value);
  }
  return out;
}

std::string event_line(const json& event) {
  std::string line = fmt::format("{} {} {}", scalar_text(event.value("time", json())),
                                 scalar_text(event.value("kind", json())),
                                 scalar_text(event.value("path", json())));
  for (const char* key : {"state", "outcome"}) {
    if (auto it = event.find(key); it != event.end() && !it->is_null() &&
                                   !(it->is_string() && it->get<std::string>().empty()))
      line += " " + scalar_text(*it);
  }
  if (auto msg = event.value("message", std::string()); !msg.empty()) line += ": " + msg;
  return line;
}

}  // namespace traio::cli
