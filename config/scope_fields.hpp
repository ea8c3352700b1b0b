#pragma once
// The scope fields of SPEC §6 "Supervision strategy" and "Cleanup and
// stop order": `supervise` and `stop_order`.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_spec.hpp"

namespace traio {

// `{"strategy": "one_for_all", "intensity": 5, "period": "60s"}`; each key may be left out.
std::optional<SuperviseSpec> read_supervise(const nlohmann::json& v, const std::string& path, FieldErrors& e);
nlohmann::json supervise_to_json(const SuperviseSpec& supervise);

// "parallel" or "reverse".
std::optional<StopOrder> read_stop_order(const nlohmann::json& v, const std::string& path, FieldErrors& e);
std::string_view to_string(StopOrder order);

}  // namespace traio
