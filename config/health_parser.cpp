#include "config/health_parser.hpp"

#include <limits>

#include <fmt/format.h>

#include "config/ready_parser.hpp"

namespace traio {

using nlohmann::json;

namespace {

// A check is asked again and again, so it needs a probe that can be asked: a log line or a
// READY=1 datagram is an event of the job's own timing, not an answer to a question.
constexpr const char* kNotAQuestion =
    "cannot be a health check (it waits for the job to say something, it cannot be asked again); "
    "use \"exec\", \"http\", \"wait_tcp\" or \"wait_file\"";

std::optional<HealthAction> read_action(const json& v, const std::string& p, FieldErrors& e) {
  if (v == "restart") return HealthAction::Restart;
  if (v == "fail") return HealthAction::Fail;
  if (!v.is_string()) e.wrong_type(p, "\"restart\" or \"fail\"", v);
  else e.add(p, fmt::format("expected \"restart\" or \"fail\", got {}", json_excerpt(v)));
  return std::nullopt;
}

}  // namespace

std::string_view to_string(HealthAction action) {
  switch (action) {
    case HealthAction::Restart: return "restart";
    case HealthAction::Fail: return "fail";
  }
  return "restart";  // unreachable: the switch is exhaustive
}

void read_health(const json& v, const std::string& p, FieldErrors& e, std::optional<HealthSpec>& out) {
  if (!expect_object(v, p, e)) return;
  HealthSpec spec;
  // The probe's own fields go to the `ready` reader (same messages, same paths); the
  // schedule is read here, since `timeout` means a check's, not the whole wait's.
  json probe = json::object();
  for (const auto& [key, value] : v.items()) {
    std::string kp = field_path(p, key);
    if (key == "interval") {
      if (auto interval = read_duration(value, kp, e, kMinPollInterval)) spec.interval = *interval;
    } else if (key == "timeout") {
      if (auto timeout = read_duration(value, kp, e, kMinPollInterval)) spec.timeout = *timeout;
    } else if (key == "failures") {
      if (auto n = read_int(value, kp, e, 1, std::numeric_limits<unsigned>::max()))
        spec.failures = static_cast<unsigned>(*n);
    } else if (key == "action") {
      if (auto action = read_action(value, kp, e)) spec.action = *action;
    } else if (key == "log" || key == "notify") {
      e.add(kp, kNotAQuestion);
    } else {
      probe[key] = value;
    }
  }
  if (!v.contains("log") && !v.contains("notify")) read_ready(probe, p, e, spec.check);
  spec.check.timeout = spec.timeout;
  spec.check.interval = spec.timeout;  // one attempt per check: the next one is the next check
  out = std::move(spec);
}

json health_to_json(const HealthSpec& health) {
  json out = ready_to_json(health.check);
  if (out.is_null()) out = json::object();
  out["interval"] = format_duration(health.interval);
  out["timeout"] = format_duration(health.timeout);
  out["failures"] = health.failures;
  out["action"] = to_string(health.action);
  return out;
}

}  // namespace traio
