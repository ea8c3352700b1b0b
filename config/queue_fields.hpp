#pragma once
// The fields of SPEC §6 "Concurrency limit": a scope's `max_parallel` and any node's
// `priority` (the order in which its scope's queue starts it).
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"

namespace traio {

// A scope runs at most this many children at once; far above any machine's process limit.
inline constexpr std::int64_t kMaxParallelLimit = 1'000'000;
// Priorities are ordinary integers; bounded so that they fit an int on every platform.
inline constexpr std::int64_t kPriorityLimit = 1'000'000'000;

// An integer in 1..kMaxParallelLimit, or null (no limit).
std::optional<std::size_t> read_max_parallel(const nlohmann::json& v, const std::string& path, FieldErrors& e);
// An integer in -kPriorityLimit..kPriorityLimit; higher starts first.
std::optional<int> read_priority(const nlohmann::json& v, const std::string& path, FieldErrors& e);

}  // namespace traio
