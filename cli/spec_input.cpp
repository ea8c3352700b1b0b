#include "cli/spec_input.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include "common/duration.hpp"
#include "common/json_limits.hpp"
#include "common/node_path.hpp"
#include "config/env_files.hpp"

namespace traio::cli {

using nlohmann::json;

Expected<json> read_json_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{ErrorCode::InvalidRequest, file + ": cannot read: " + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  // The daemon takes at most 1 MiB per request; a larger file gets its limit_exceeded.
  JsonLimits limits;
  limits.max_bytes = 64u << 20;
  auto parsed = parse_json_limited(text.str(), limits);
  if (!parsed) return Error{ErrorCode::InvalidRequest, file + ": " + parsed.error().message};
  return std::move(*parsed);
}

Status resolve_env_files_of(json& spec, const std::string& file) {
  const std::string dir = std::filesystem::path(file).parent_path().string();
  ParseErrors errors = resolve_env_files(spec, dir.empty() ? "." : dir);
  if (errors.empty()) return ok_status();
  std::string text = format_parse_errors(errors, file);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return Error{ErrorCode::InvalidRequest, text};
}

Status validate_spec(const json& spec, SpecKind kind, const std::string& label) {
  auto parsed = parse_node_spec(spec, kind);
  if (auto* errors = std::get_if<ParseErrors>(&parsed)) {
    std::string text = format_parse_errors(*errors, label);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return Error{ErrorCode::InvalidRequest, text};
  }
  return ok_status();
}

Expected<std::string> canonical_duration(std::string_view text) {
  auto parsed = parse_duration(text);
  if (!parsed) {
    // A bare number is seconds, as in JSON (SPEC §2).
    try {
      std::size_t used = 0;
      const double seconds = std::stod(std::string(text), &used);
      if (used == text.size()) parsed = duration_from_seconds(seconds);
    } catch (const std::exception&) {
      // not a number either: keep parse_duration's error
    }
  }
  if (!parsed) return Error{ErrorCode::InvalidRequest, parsed.error().message};
  return format_duration(*parsed);
}

namespace {

std::string absolute_dir(const std::string& dir, const std::string& caller_cwd) {
  if (!dir.empty() && dir.front() == '/') return dir;
  return caller_cwd + (caller_cwd.ends_with('/') ? "" : "/") + dir;
}

Status apply_env(json& job, const std::vector<std::string>& env) {
  for (const auto& kv : env) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error{ErrorCode::InvalidRequest, "--env expects K=V, got '" + kv + "'"};
    if (!job.contains("env") || !job["env"].is_object()) job["env"] = json::object();
    job["env"][kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return ok_status();
}

// The policy replaces the file's; an object form keeps its max, window and backoff.
Status apply_restart(json& job, const std::string& policy) {
  if (!restart_policy_from_string(policy))
    return Error{ErrorCode::InvalidRequest,
                 "--restart: expected no, on-failure or always, got '" + policy + "'"};
  auto it = job.find("restart");
  if (it != job.end() && it->is_object()) (*it)["policy"] = policy;
  else job["restart"] = policy;
  return ok_status();
}

}  // namespace

Expected<json> apply_spawn_flags(json job, const SpawnFlags& flags, const std::string& caller_cwd) {
  if (!job.is_object()) return Error{ErrorCode::InvalidRequest, "a job must be a JSON object"};
  if (flags.name) {
    if (!is_valid_name(*flags.name)) return Error{ErrorCode::InvalidRequest, "--name: " + name_error(*flags.name)};
    job["name"] = *flags.name;
  }
  if (flags.master) job["master"] = true;
  if (flags.no_bubble) job["bubble"] = false;
  if (flags.no_await) job["awaited"] = false;
  if (flags.timeout) {
    auto d = canonical_duration(*flags.timeout);
    if (!d) return Error{ErrorCode::InvalidRequest, "--timeout: " + d.error().message};
    job["timeout"] = *d;
  }
  if (flags.restart)
    if (auto st = apply_restart(job, *flags.restart); !st) return st.error();
  if (auto st = apply_env(job, flags.env); !st) return st.error();
  if (flags.cwd) job["cwd"] = absolute_dir(*flags.cwd, caller_cwd);
  return job;
}

void fill_cwd(json& spec, const std::string& caller_cwd) {
  if (!spec.is_object()) return;
  if (auto it = spec.find("children"); it != spec.end()) {
    if (it->is_array())
      for (auto& child : *it) fill_cwd(child, caller_cwd);
    return;
  }
  const auto kind = spec.find("kind");
  if (kind != spec.end() && !(kind->is_string() && kind->get<std::string>() == "process")) return;
  auto cwd = spec.find("cwd");
  if (cwd == spec.end()) {
    spec["cwd"] = caller_cwd;
  } else if (cwd->is_string()) {
    *cwd = absolute_dir(cwd->get<std::string>(), caller_cwd);
  }
}

}  // namespace traio::cli
