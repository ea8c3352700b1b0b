#include "config/job_parser.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "common/node_path.hpp"
#include "config/after_parser.hpp"
#include "config/env_files.hpp"
#include "config/health_parser.hpp"
#include "config/limits_parser.hpp"
#include "config/queue_fields.hpp"
#include "config/ready_parser.hpp"
#include "config/restart_parser.hpp"

namespace traio {

using nlohmann::json;

namespace {

enum class FieldFit { Any, Process, Sleep, WaitTcp, WaitFile };

// Which kind of job a field belongs to; nullopt: not a job field.
std::optional<FieldFit> job_field_fit(std::string_view key) {
  static constexpr std::array<std::string_view, 10> kProcess = {
      "argv", "env", "cwd", "stop", "output", "success_exit_codes", "ready", "user", "group", "health"};
  static constexpr std::array<std::string_view, 3> kAny = {"kind", "restart", "after"};
  if (std::find(kProcess.begin(), kProcess.end(), key) != kProcess.end()) return FieldFit::Process;
  if (std::find(kAny.begin(), kAny.end(), key) != kAny.end()) return FieldFit::Any;
  if (key == "duration") return FieldFit::Sleep;
  if (key == "address" || key == "interval") return FieldFit::WaitTcp;
  if (key == "path") return FieldFit::WaitFile;
  return std::nullopt;
}

// The kind a field is reserved to; nullopt: every kind takes it.
std::optional<JobKind> fit_kind(FieldFit fit) {
  switch (fit) {
    case FieldFit::Any: return std::nullopt;
    case FieldFit::Process: return JobKind::Process;
    case FieldFit::Sleep: return JobKind::Sleep;
    case FieldFit::WaitTcp: return JobKind::WaitTcp;
    case FieldFit::WaitFile: return JobKind::WaitFile;
  }
  return std::nullopt;  // unreachable: the switch is exhaustive
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// The kind decides which other fields are allowed, so it is read first. nullopt: the
// kind is wrong (already reported); the other fields are then checked for type only.
std::optional<JobKind> read_kind(const json& object, const std::string& path, FieldErrors& e) {
  auto it = object.find("kind");
  if (it == object.end()) return JobKind::Process;  // SPEC §2: kind defaults to process
  std::string p = field_path(path, "kind");
  auto kind = read_string(*it, p, e);
  if (!kind) return std::nullopt;
  for (JobKind k : {JobKind::Process, JobKind::Sleep, JobKind::WaitTcp, JobKind::WaitFile})
    if (*kind == to_string(k)) return k;
  e.add(p, fmt::format(R"(unknown kind {} (expected "process", "sleep", "wait_tcp" or "wait_file"))",
                       json_excerpt(*it)));
  return std::nullopt;
}

}  // namespace

void read_argv(const json& v, const std::string& p, FieldErrors& e, std::vector<std::string>& out) {
  if (!v.is_array()) return e.wrong_type(p, "array of strings", v);
  if (v.empty()) return e.add(p, "must not be empty (argv[0] is the program)");
  if (v.size() > kMaxArgs) return e.add(p, fmt::format("has {} elements, at most {}", v.size(), kMaxArgs));
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string ip = index_path(p, i);
    auto arg = read_string(v[i], ip, e);
    if (!arg) continue;
    if (arg->size() > kMaxArgBytes)
      e.add(ip, fmt::format("is {} bytes long, at most {}", arg->size(), kMaxArgBytes));
    else if (has_nul(*arg)) e.add(ip, "contains a NUL byte");
    else if (i == 0 && arg->empty()) e.add(ip, "the program must not be empty");
    else out.push_back(std::move(*arg));
  }
}

namespace {

void read_env(const json& v, const std::string& p, FieldErrors& e, std::map<std::string, std::string>& out) {
  if (!v.is_object()) return e.wrong_type(p, "object of strings", v);
  if (v.size() > kMaxEnvEntries)
    return e.add(p, fmt::format("has {} entries, at most {}", v.size(), kMaxEnvEntries));
  for (const auto& [key, value] : v.items()) {
    std::string kp = field_path(p, key);
    if (key.empty()) e.add(p, "a variable name is empty");
    else if (key.find('=') != std::string::npos) e.add(kp, "a variable name cannot contain '='");
    else if (has_nul(key)) e.add(p, "a variable name contains a NUL byte");
    else if (auto s = read_string(value, kp, e)) {
      if (s->size() > kMaxArgBytes) e.add(kp, fmt::format("is {} bytes long, at most {}", s->size(), kMaxArgBytes));
      else if (has_nul(*s)) e.add(kp, "contains a NUL byte");
      else out[key] = std::move(*s);
    }
  }
}

void read_stop(const json& v, const std::string& p, FieldErrors& e, StopSpec& out) {
  if (!expect_object(v, p, e)) return;
  for (const auto& [key, value] : v.items()) {
    std::string kp = field_path(p, key);
    if (key == "signal") out.signal = read_signal(value, kp, e);
    else if (key == "grace") out.grace = read_duration(value, kp, e);
    else e.add(kp, "unknown field");
  }
}

void read_output(const json& v, const std::string& p, FieldErrors& e, OutputSpec& out) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "capture") out.mode = OutputMode::Capture;
    else if (s == "inherit") out.mode = OutputMode::Inherit;
    else if (s == "null") out.mode = OutputMode::Null;
    else e.add(p, fmt::format("expected \"capture\", \"inherit\", \"null\" or {{\"file\": PATH}}, got {}",
                              json_excerpt(v)));
    return;
  }
  if (!v.is_object()) return e.wrong_type(p, "string or object", v);
  out.mode = OutputMode::File;
  if (!v.contains("file")) e.add(field_path(p, "file"), "missing (the path to write to)");
  for (const auto& [key, value] : v.items()) {
    std::string kp = field_path(p, key);
    if (key == "file") {
      if (auto f = read_abs_path(value, kp, e)) out.file = *f;
    } else if (key == "append") {
      if (auto a = read_bool(value, kp, e)) out.file_mode = *a ? FileMode::Append : FileMode::Truncate;
    } else {
      e.add(kp, "unknown field");
    }
  }
}

void read_exit_codes(const json& v, const std::string& p, FieldErrors& e, std::vector<int>& out) {
  if (!v.is_array()) return e.wrong_type(p, "array of integers 0..255", v);
  if (v.empty()) return e.add(p, "must not be empty (no exit code would count as success)");
  if (v.size() > 256) return e.add(p, fmt::format("has {} elements, at most 256", v.size()));
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (auto code = read_int(v[i], index_path(p, i), e, 0, 255)) out.push_back(static_cast<int>(*code));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

// Fields of one kind only (the kind was checked before).
void read_kind_field(std::string_view key, const json& value, const std::string& p, FieldErrors& e, JobSpec& spec) {
  if (key == "argv") read_argv(value, p, e, spec.argv);
  else if (key == "env") read_env(value, p, e, spec.env);
  else if (key == "cwd") {
    if (auto cwd = read_abs_path(value, p, e)) spec.cwd = *cwd;
  } else if (key == "stop") read_stop(value, p, e, spec.stop);
  else if (key == "output") read_output(value, p, e, spec.output);
  else if (key == "success_exit_codes") read_exit_codes(value, p, e, spec.success_exit_codes);
  else if (key == "ready") read_ready(value, p, e, spec.ready);
  else if (key == "health") read_health(value, p, e, spec.health);
  else if (key == "user") {
    if (auto user = read_account(value, p, e, "user")) spec.user = *user;
  } else if (key == "group") {
    if (auto group = read_account(value, p, e, "group")) spec.group = *group;
  } else if (key == "duration") {
    if (auto d = read_duration(value, p, e)) spec.duration = *d;
  } else if (key == "address") {
    if (auto address = read_tcp_address(value, p, e)) spec.address = *address;
  } else if (key == "interval") {
    if (auto interval = read_duration(value, p, e, kMinPollInterval)) spec.interval = *interval;
  } else if (key == "path") {
    if (auto path = read_abs_path(value, p, e)) spec.path = *path;
  }
}


// A field every kind takes and the kind-specific ones, or the reason it is refused.
void read_job_field(std::string_view key, const json& value, const std::string& p, FieldErrors& e,
                    const json& object, std::optional<JobKind> kind, JobSpec& spec) {
  if (key == "kind") return;  // read first, by read_kind
  if (key == "restart") return read_restart(value, p, e, spec.restart);
  if (key == "after") return read_after(value, p, e, valid_name_of(object), spec.after);
  std::optional<FieldFit> fit = job_field_fit(key);
  if (!fit) return e.add(p, "unknown field");
  std::optional<JobKind> wanted = fit_kind(*fit);
  if (kind && wanted && *kind != *wanted)
    return e.add(p, fmt::format("not valid for a {} job (only for {} jobs)", to_string(*kind), to_string(*wanted)));
  read_kind_field(key, value, p, e, spec);
}

// What each kind cannot do without.
void check_required(const json& object, const std::string& path, JobKind kind, FieldErrors& e) {
  auto require = [&](const char* key, const char* why) {
    if (!object.contains(key)) e.add(field_path(path, key), fmt::format("missing ({})", why));
  };
  switch (kind) {
    case JobKind::Process: return require("argv", "a process job needs the program and its arguments");
    case JobKind::Sleep: return require("duration", "a sleep job needs a duration");
    case JobKind::WaitTcp: return require("address", "a wait_tcp job needs the HOST:PORT to connect to");
    case JobKind::WaitFile: return require("path", "a wait_file job needs the absolute path to wait for");
  }
}

}  // namespace

bool is_job_field(std::string_view key) { return job_field_fit(key).has_value(); }

bool is_unsupported_field(std::string_view key) {
  // Every §6 field is supported now; the list stays for the next one.
  static constexpr std::array<std::string_view, 0> kLater = {};
  return std::find(kLater.begin(), kLater.end(), key) != kLater.end();
}

bool read_node_field(std::string_view key, const json& value, const std::string& path, std::string& name,
                     NodeFlags& flags, std::optional<Duration>& timeout, FieldErrors& e) {
  if (key == "name") {
    if (auto n = read_string(value, path, e)) {
      if (is_valid_name(*n)) name = *n;
      else e.add(path, name_error(*n));
    }
  } else if (key == "master" || key == "bubble" || key == "awaited") {
    if (auto b = read_bool(value, path, e))
      (key == "master" ? flags.master : key == "bubble" ? flags.bubble : flags.awaited) = *b;
  } else if (key == "on") {
    // SPEC §6: "cleanup" is the only moment a node can name; the default is "when submitted".
    if (value == "cleanup") flags.cleanup = true;
    else e.add(path, fmt::format("expected \"cleanup\", got {}", json_excerpt(value)));
  } else if (key == "timeout") {
    // null means no timeout, as in the `timeout` op (docs/protocol.md).
    if (!value.is_null()) timeout = read_duration(value, path, e, Duration(1));
  } else {
    return false;
  }
  return true;
}

JobSpec parse_job(const json& object, const std::string& path, FieldErrors& e, ChildrenKey children) {
  JobSpec spec;
  std::optional<JobKind> kind = read_kind(object, path, e);
  if (kind) spec.kind = *kind;
  for (const auto& [key, value] : object.items()) {
    std::string p = field_path(path, key);
    if (read_node_field(key, value, p, spec.name, spec.flags, spec.timeout, e)) continue;
    if (key == "children") {
      if (children == ChildrenKey::Reject) e.add(p, "a job file cannot have children; use traioctl run for trees");
      continue;
    }
    if (is_unsupported_field(key)) {
      e.add(p, "not supported yet");
      continue;
    }
    if (key == "replicas" || key == "matrix") {  // a tree expands them (config/fanout.hpp) before this
      e.add(p, "only in a tree (traioctl run or submit): a job file makes one job");
      continue;
    }
    if (key == "finalize") {
      e.add(p, "only a scope (a node with \"children\") can be finalized");
      continue;
    }
    if (key == "priority") {  // SPEC §6: the order in which a limited scope starts it
      if (auto priority = read_priority(value, p, e)) spec.priority = *priority;
      continue;
    }
    if (key == "delay") {
      spec.delay = read_duration(value, p, e);
      continue;
    }
    if (key == "limits") {  // SPEC §6: what the job's processes may take
      if (kind && *kind != JobKind::Process)
        e.add(p, fmt::format("not valid for a {} job (only for process jobs and scopes)", to_string(*kind)));
      else spec.limits = read_limits(value, p, e);
      continue;
    }
    if (key == "env_file") {  // config/env_files.hpp reads it where the reader may read the file
      e.add(p, std::string(kEnvFileNotHere));
      continue;
    }
    if (key == "max_parallel") {
      e.add(p, "only a scope (a node with \"children\") can limit how many children run at once");
      continue;
    }
    if (key == "supervise" || key == "stop_order") {  // SPEC §6: how a scope treats its children
      e.add(p, "only a scope (a node with \"children\") has children to supervise or stop in order");
      continue;
    }
    read_job_field(key, value, p, e, object, kind, spec);
  }
  if (kind) check_required(object, path, *kind, e);
  check_ready_fits_output(spec, path, e);
  return spec;
}

}  // namespace traio
