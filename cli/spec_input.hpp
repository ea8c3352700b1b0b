#pragma once
// Job and tree JSON as traioctl sends it: read from a file, validated locally with the
// daemon's own parser (nothing invalid is sent, SPEC §3 exit 2), CLI flags applied over it,
// and every process job given the caller's working directory when it has none (SPEC §2).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.hpp"
#include "config/node_spec.hpp"

namespace traio::cli {

// The flags of `spawn` that override a job file's fields.
struct SpawnFlags {
  std::optional<std::string> name;
  bool master = false;
  bool no_bubble = false;
  bool no_await = false;
  std::optional<std::string> timeout;
  // "no", "on-failure" or "always": replaces the file's policy, keeps its other restart fields.
  std::optional<std::string> restart;
  std::vector<std::string> env;  // K=V
  std::optional<std::string> cwd;
};

// Reads and parses a JSON file. Error messages start with the file name.
Expected<nlohmann::json> read_json_file(const std::string& file);

// Reads the `env_file`s of a job or tree read from `file` (config/env_files.hpp), as the
// calling user, relative paths from the file's directory, into each job's `env`; the daemon
// never reads them for a client. Errors as validate_spec's, with FILE:LINE of the env file.
Status resolve_env_files_of(nlohmann::json& spec, const std::string& file);

// Validates with parse_node_spec; the error lists every problem, one per line, each as
// "<label>: <json path>: <reason>".
Status validate_spec(const nlohmann::json& spec, SpecKind kind, const std::string& label);

// A duration from the command line, in canonical form ("1m30s"): any form of SPEC §2, a bare
// number meaning seconds.
Expected<std::string> canonical_duration(std::string_view text);

// Applies the flags over `job`; flag values are checked here ("--env expects K=V, got 'X'").
Expected<nlohmann::json> apply_spawn_flags(nlohmann::json job, const SpawnFlags& flags,
                                           const std::string& caller_cwd);

// Gives every process job of a job or tree without "cwd" the caller's; a relative cwd is
// made absolute against it.
void fill_cwd(nlohmann::json& spec, const std::string& caller_cwd);

}  // namespace traio::cli
