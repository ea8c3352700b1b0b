#pragma once
// Internal to config/: `ready` of a process job (SPEC §2, §6): exactly one probe among
// {"wait_tcp": ADDR}, {"wait_file": PATH}, {"exec": ARGV}, {"http": URL}, {"log": REGEX},
// {"notify": true}, plus "timeout" and "interval".
#include <string>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_spec.hpp"

namespace traio {

// Probes poll no faster than this: a tighter loop costs the daemon more than it saves.
inline constexpr Duration kMinPollInterval = std::chrono::milliseconds(10);

void read_ready(const nlohmann::json& v, const std::string& path, FieldErrors& e, ReadySpec& out);

// A `log` probe reads the job's output as traiod passes it on: refused (at `path`.ready.log)
// when the output goes straight to a file or to /dev/null.
void check_ready_fits_output(const JobSpec& spec, const std::string& path, FieldErrors& e);

// The object form; null when there is no probe.
nlohmann::json ready_to_json(const ReadySpec& ready);

}  // namespace traio
