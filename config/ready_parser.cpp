#include "config/ready_parser.hpp"

#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/job_parser.hpp"

namespace traio {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 3> kProbes = {"wait_tcp", "wait_file", "exec"};

// Zero or several probes: the error names what was given, so the fix is obvious.
void check_one_probe(const json& v, const std::string& p, FieldErrors& e) {
  std::vector<std::string> given;
  for (std::string_view probe : kProbes)
    if (v.contains(probe)) given.push_back(fmt::format("\"{}\"", probe));
  if (given.empty())
    e.add(p, "needs one probe: \"wait_tcp\", \"wait_file\" or \"exec\"");
  else if (given.size() > 1)
    e.add(p, fmt::format("has {} probes ({}); give exactly one", given.size(), fmt::join(given, ", ")));
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
  }
  out["interval"] = format_duration(ready.interval);
  if (ready.timeout) out["timeout"] = format_duration(*ready.timeout);
  return out;
}

}  // namespace traio
