#pragma once
// Internal to config/: `restart` of a job (SPEC rule 11, §2, §6), either the policy alone
// ("on-failure") or {"policy", "max", "window", "backoff": {"initial", "max"}}.
#include <string>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_spec.hpp"

namespace traio {

void read_restart(const nlohmann::json& v, const std::string& path, FieldErrors& e, RestartSpec& out);

// The object form with the defaults filled in; it parses back to the same spec.
nlohmann::json restart_to_json(const RestartSpec& restart);

}  // namespace traio
