#pragma once
// Internal to config/: `health` of a process job (SPEC §6): one probe as `ready` takes it
// (wait_tcp, wait_file, exec or http) plus "interval", "timeout" (per check), "failures"
// and "action" ("restart" | "fail").
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_spec.hpp"

namespace traio {

void read_health(const nlohmann::json& v, const std::string& path, FieldErrors& e, std::optional<HealthSpec>& out);

// The object form with the defaults filled in; it parses back to the same spec.
nlohmann::json health_to_json(const HealthSpec& health);

}  // namespace traio
