#pragma once
// Human forms of node objects, causes and events (SPEC §3 "Human output").
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace traio::cli {

using WallClock = std::chrono::system_clock;

// "850ms" under a second, then "12s", "3m4s", "2h5m", "3d4h".
std::string format_age(std::chrono::milliseconds age);
// RFC 3339 as the daemon writes it ("2026-11-25T16:40:00.123Z", or with an offset).
std::optional<WallClock::time_point> parse_rfc3339(std::string_view text);
// How long a node has lived: from created_at (or started_at) to ended_at, or to `now`.
std::optional<std::chrono::milliseconds> node_age(const nlohmann::json& node,
                                                  WallClock::time_point now);

// A JSON value as one word: strings bare, null as "-".
std::string scalar_text(const nlohmann::json& value);
// "exit code 2", "signal KILL", or "" when the object has neither.
std::string exit_text(const nlohmann::json& obj);

// One line per link of a cause chain: "<indent>caused by /ci/unit: failed: exited with code 2".
std::string cause_lines(const nlohmann::json& cause, std::string_view indent);
// The STATE column of `ps`: the state word, except "restarting in 2.1s (3 restarts)" for a
// job waiting on its restart backoff and "pending on db, migrate" for a node waiting on
// the siblings it names in `after` (only the unmet ones).
std::string state_text(const nlohmann::json& node, WallClock::time_point now);
// `wait`: "<path> <outcome> [exit code N]"; a live node shows its state instead.
std::string wait_line(const nlohmann::json& node);
// `inspect`: "key: value" lines, the identifying keys first, then the rest by name.
std::string inspect_text(const nlohmann::json& node);
// `events`: "<time> <kind> <path> [state] [outcome] [message]".
std::string event_line(const nlohmann::json& event);

}  // namespace traio::cli
