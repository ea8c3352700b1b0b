#pragma once
// Shared by the job and tree spec tests: parse text that must be valid, or collect the
// errors of text that must not be, each as "path: message".
#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "config/node_spec.hpp"

namespace traio::spec_test {

inline NodeSpec parse_ok(const char* text, SpecKind kind = SpecKind::Tree) {
  auto r = parse_node_spec(nlohmann::json::parse(text), kind);
  if (auto* errors = std::get_if<ParseErrors>(&r)) FAIL(format_parse_errors(*errors));
  return std::get<NodeSpec>(r);
}

inline JobSpec job_ok(const char* text) {
  NodeSpec spec = parse_ok(text, SpecKind::Job);
  REQUIRE_FALSE(spec.is_scope());
  return std::get<JobSpec>(spec.node);
}

inline std::vector<std::string> errors_of(const nlohmann::json& doc, SpecKind kind = SpecKind::Tree) {
  auto r = parse_node_spec(doc, kind);
  REQUIRE(std::holds_alternative<ParseErrors>(r));
  std::vector<std::string> out;
  for (const ParseError& e : std::get<ParseErrors>(r)) out.push_back(format_parse_error(e));
  return out;
}
inline std::vector<std::string> errors_of(const char* text, SpecKind kind = SpecKind::Tree) {
  return errors_of(nlohmann::json::parse(text), kind);
}

inline bool has(const std::vector<std::string>& errors, const std::string& text) {
  return std::any_of(errors.begin(), errors.end(), [&](const std::string& e) { return e == text; });
}
inline bool has_prefix(const std::vector<std::string>& errors, const std::string& prefix) {
  return std::any_of(errors.begin(), errors.end(), [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
}

}  // namespace traio::spec_test
