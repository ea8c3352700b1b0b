#pragma once
// Internal to config/: `after` of a job or scope (SPEC §2, §6): the siblings a node waits
// for, as names or {"name", "when"}, and the checks a tree allows before submission.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_spec.hpp"

namespace traio {

// The node object's "name" when it is a valid one, else empty.
std::string valid_name_of(const nlohmann::json& node);

// `own_name` is the node's "name" when it has a valid one (empty otherwise): waiting for
// oneself can never be met.
void read_after(const nlohmann::json& v, const std::string& path, FieldErrors& e, std::string_view own_name,
                std::vector<AfterSpec>& out);

// Inside one "children" array: every name in an `after` is a sibling of that array, and the
// siblings' dependencies have no cycle. A tree's top node and a spawned job wait for live
// siblings in the daemon, which checks them there.
void check_sibling_after(const nlohmann::json& children, const std::string& path, FieldErrors& e);

nlohmann::json after_to_json(const std::vector<AfterSpec>& after);

}  // namespace traio
