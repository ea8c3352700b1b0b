#include "config/ready_parser.hpp"

#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/http_url.hpp"
#include "config/job_parser.hpp"
#include "config/line_pattern.hpp"

namespace traio {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 6> kProbes = {"wait_tcp", "wait_file", "exec", "http", "log", "notify"};

// Zero or several probes: the error names what was given, so the fix is obvious.
void check_one_probe(const json& v, const std::string& p, FieldErrors& e) {
  std::vector<std::string> given;
  for (std::string_view probe : kProbes)
    if (v.contains(probe)) given.push_back(fmt::format("\"{}\"", probe));
  if (given.empty())
    e.add(p, "needs one probe: \"wait_tcp\", \"wait_file\", \"exec\", \"http\", \"log\" or \"notify\"");
  else if (given.size() > 1)
    e.add(p, fmt::format("has {} probes ({}); give exactly one", given.size(), fmt::join(given, ", ")));
}

std::optional<std::string> read_http_url(const json& v, const std::string& p, FieldErrors& e) {
  auto url = read_string(v, p, e);
  if (!url) return std::nullopt;
  if (auto parsed = parse_local_http_url(*url); !parsed) {
    e.add(p, parsed.error().message);
    return std::nullopt;
  }
  return url;
}

// Compiled here so that a bad pattern is exit 2 at submit, not a probe that never passes.
std::optional<std::string> read_line_pattern(const json& v, const std::string& p, FieldErrors& e) {
  auto pattern = read_string(v, p, e);
  if (!pattern) return std::nullopt;
  if (auto compiled = LinePattern::compile(*pattern); !compiled) {
    e.add(p, compiled.error().message);
    return std::nullopt;
  }
  return pattern;
}

// true is the only value: the object form leaves room for options (systemd's
// NotifyAccess=) without changing what `{"notify": true}` means.
bool read_notify(const json& v, const std::string& p, FieldErrors& e) {
  auto on = read_bool(v, p, e);
  if (on && !*on) e.add(p, "must be true (leave out \"ready\" for a job without a probe)");
  return on.value_or(false);
}

}  // namespace

void read_ready(const json& v, const std::string& p, FieldErrors& e, ReadySpec& out) {
  if (!expect_object(v, p, e)) return;
  check_one_probe(v, p, e);
  for_each_field(v, p, e, [&](std::string_view key, const json& value, const std::string& kp) {
    if (key == "wait_tcp") {
      out.probe = ReadySpec::Probe::Tcp;
      if (auto address = read_tcp_address(value, kp, e)) out.address = *address;
    } else if (key == "wait_file") {
      out.probe = ReadySpec::Probe::File;
      if (auto path = read_abs_path(value, kp, e)) out.path = *path;
    } else if (key == "exec") {
      out.probe = ReadySpec::Probe::Exec;
      read_argv(value, kp, e, out.argv);
    } else if (key == "http") {
      out.probe = ReadySpec::Probe::Http;
      if (auto url = read_http_url(value, kp, e)) out.url = *url;
    } else if (key == "log") {
      out.probe = ReadySpec::Probe::Log;
      if (auto pattern = read_line_pattern(value, kp, e)) out.pattern = *pattern;
    } else if (key == "notify") {
      out.probe = ReadySpec::Probe::Notify;
      read_notify(value, kp, e);
    } else if (key == "timeout") {
      out.timeout = read_duration(value, kp, e, Duration(1));
    } else if (key == "interval") {
      if (auto interval = read_duration(value, kp, e, kMinPollInterval)) out.interval = *interval;
    } else {
      return false;
    }
    return true;
  });
}

json ready_to_json(const ReadySpec& ready) {
  json out = json::object();
  switch (ready.probe) {
    case ReadySpec::Probe::None: return nullptr;
    case ReadySpec::Probe::Tcp: out["wait_tcp"] = ready.address; break;
    case ReadySpec::Probe::File: out["wait_file"] = ready.path; break;
    case ReadySpec::Probe::Exec: out["exec"] = ready.argv; break;
    case ReadySpec::Probe::Http: out["http"] = ready.url; break;
    case ReadySpec::Probe::Log: out["log"] = ready.pattern; break;
    case ReadySpec::Probe::Notify: out["notify"] = true; break;
  }
  out["interval"] = format_duration(ready.interval);
  if (ready.timeout) out["timeout"] = format_duration(*ready.timeout);
  return out;
}

void check_ready_fits_output(const JobSpec& spec, const std::string& path, FieldErrors& e) {
  if (spec.ready.probe != ReadySpec::Probe::Log) return;
  if (spec.output.mode == OutputMode::Capture || spec.output.mode == OutputMode::Inherit) return;
  e.add(field_path(path, "ready.log"),
        "needs the job's output to pass through traiod: \"output\" must be \"capture\" or \"inherit\"");
}

}  // namespace traio
