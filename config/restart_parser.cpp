#include "config/restart_parser.hpp"

#include <limits>

#include <fmt/format.h>

namespace traio {

using nlohmann::json;

namespace {

std::optional<RestartPolicy> read_policy(const json& v, const std::string& p, FieldErrors& e) {
  if (!v.is_string()) {
    e.wrong_type(p, "\"no\", \"on-failure\" or \"always\"", v);
    return std::nullopt;
  }
  auto policy = restart_policy_from_string(v.get_ref<const std::string&>());
  if (!policy) e.add(p, fmt::format("expected \"no\", \"on-failure\" or \"always\", got {}", json_excerpt(v)));
  return policy;
}

void read_max(const json& v, const std::string& p, FieldErrors& e, std::optional<unsigned>& out) {
  if (v.is_null()) {  // null: no limit, as the struct's nullopt
    out.reset();
    return;
  }
  // Counts beyond unsigned are "no limit" in practice, so they saturate rather than fail.
  if (auto n = read_int(v, p, e, 0, std::numeric_limits<std::int64_t>::max()))
    out = static_cast<unsigned>(std::min<std::int64_t>(*n, std::numeric_limits<unsigned>::max()));
}

void read_backoff(const json& v, const std::string& p, FieldErrors& e, BackoffSpec& out) {
  for_each_field(v, p, e, [&](std::string_view key, const json& value, const std::string& kp) {
    if (key == "initial") out.initial = read_duration(value, kp, e, Duration(1));
    else if (key == "max") out.max = read_duration(value, kp, e, Duration(1));
    else return false;
    return true;
  });
  // Only a pair given together can be checked here; one against the daemon's default is
  // the daemon's to reconcile.
  if (out.initial && out.max && *out.initial > *out.max)
    e.add(field_path(p, "initial"), fmt::format("must not exceed backoff.max ({} > {})",
                                                format_duration(*out.initial), format_duration(*out.max)));
}

}  // namespace

void read_restart(const json& v, const std::string& p, FieldErrors& e, RestartSpec& out) {
  if (v.is_string()) {
    if (auto policy = read_policy(v, p, e)) out.policy = *policy;
    return;
  }
  if (!v.is_object()) return e.wrong_type(p, "\"no\", \"on-failure\", \"always\" or object", v);
  // An object without a policy would silently never restart: the policy is required.
  if (!v.contains("policy")) e.add(field_path(p, "policy"), "missing (\"no\", \"on-failure\" or \"always\")");
  for_each_field(v, p, e, [&](std::string_view key, const json& value, const std::string& kp) {
    if (key == "policy") {
      if (auto policy = read_policy(value, kp, e)) out.policy = *policy;
    } else if (key == "max") {
      read_max(value, kp, e, out.max);
    } else if (key == "window") {
      if (auto window = read_duration(value, kp, e, Duration(1))) out.window = *window;
    } else if (key == "backoff") {
      read_backoff(value, kp, e, out.backoff);
    } else {
      return false;
    }
    return true;
  });
}

json restart_to_json(const RestartSpec& restart) {
  json out = {{"policy", to_string(restart.policy)}, {"window", format_duration(restart.window)}};
  out["max"] = restart.max ? json(*restart.max) : json(nullptr);
  json backoff = json::object();
  if (restart.backoff.initial) backoff["initial"] = format_duration(*restart.backoff.initial);
  if (restart.backoff.max) backoff["max"] = format_duration(*restart.backoff.max);
  out["backoff"] = backoff;
  return out;
}

}  // namespace traio
