#pragma once
// SPEC §6 `limits` on a job or a scope: `{"memory": "2GiB", "cpu": "150%", "pids": 512}`.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_spec.hpp"

namespace traio {

// Each key may be left out, but not all of them; unknown keys and bad values are errors
// at their JSON path ("limits.cpu").
std::optional<LimitsSpec> read_limits(const nlohmann::json& v, const std::string& path, FieldErrors& e);
// The form read_limits takes back: memory as a size string, cpu as "N%".
nlohmann::json limits_to_json(const LimitsSpec& limits);

// cpu.max of `percent`: "150000 100000" (quota and period in µs) for 150%.
std::string cpu_max_text(std::uint32_t percent);

}  // namespace traio
