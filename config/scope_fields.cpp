#include "config/scope_fields.hpp"

#include <fmt/format.h>

namespace traio {

using nlohmann::json;

std::string_view to_string(SuperviseStrategy strategy) {
  switch (strategy) {
    case SuperviseStrategy::OneForOne: return "one_for_one";
    case SuperviseStrategy::OneForAll: return "one_for_all";
    case SuperviseStrategy::RestForOne: return "rest_for_one";
  }
  return "one_for_one";  // unreachable: the switch is exhaustive
}

std::optional<SuperviseStrategy> supervise_strategy_from_string(std::string_view text) {
  if (text == "one_for_one") return SuperviseStrategy::OneForOne;
  if (text == "one_for_all") return SuperviseStrategy::OneForAll;
  if (text == "rest_for_one") return SuperviseStrategy::RestForOne;
  return std::nullopt;
}

std::string_view to_string(StopOrder order) { return order == StopOrder::Reverse ? "reverse" : "parallel"; }

namespace {

constexpr const char* kStrategies = "\"one_for_one\", \"one_for_all\" or \"rest_for_one\"";

}  // namespace

std::optional<SuperviseSpec> read_supervise(const json& v, const std::string& p, FieldErrors& e) {
  if (!v.is_object()) {
    e.wrong_type(p, "object", v);
    return std::nullopt;
  }
  SuperviseSpec out;
  for_each_field(v, p, e, [&](std::string_view key, const json& value, const std::string& kp) {
    if (key == "strategy") {
      if (!value.is_string()) {
        e.wrong_type(kp, kStrategies, value);
      } else if (auto strategy = supervise_strategy_from_string(value.get_ref<const std::string&>())) {
        out.strategy = *strategy;
      } else {
        e.add(kp, fmt::format("expected {}, got {}", kStrategies, json_excerpt(value)));
      }
    } else if (key == "intensity") {
      // 0 is OTP's "no restart at all": the first restart fails the scope.
      if (auto n = read_int(value, kp, e, 0, 1'000'000)) out.intensity = static_cast<unsigned>(*n);
    } else if (key == "period") {
      if (auto period = read_duration(value, kp, e, Duration(1))) out.period = *period;
    } else {
      return false;
    }
    return true;
  });
  return out;
}

json supervise_to_json(const SuperviseSpec& supervise) {
  return {{"strategy", to_string(supervise.strategy)},
          {"intensity", supervise.intensity},
          {"period", format_duration(supervise.period)}};
}

std::optional<StopOrder> read_stop_order(const json& v, const std::string& p, FieldErrors& e) {
  if (v == "parallel") return StopOrder::Parallel;
  if (v == "reverse") return StopOrder::Reverse;
  if (!v.is_string()) e.wrong_type(p, "\"parallel\" or \"reverse\"", v);
  else e.add(p, fmt::format("expected \"parallel\" or \"reverse\", got {}", json_excerpt(v)));
  return std::nullopt;
}

}  // namespace traio
