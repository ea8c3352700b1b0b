#pragma once
// `env_file` (SPEC §6 "Re-run") is resolved where the file may be read by whoever submits:
// traioctl reads it as the calling user, traiod only for the trees it loads itself (boot
// trees, `traiod --run`), which are as trusted as its config. A socket client's request
// is never a reason for traiod (often root) to open a file: there the field is refused
// (kEnvFileNotHere), so no client learns what a file it cannot read holds.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/parse_error.hpp"

namespace traio {

inline constexpr std::string_view kEnvFileNotHere =
    "read by traioctl (as you) from the job or tree file, not accepted in a request: "
    "send its KEY=VALUE lines in \"env\"";

// An env file larger than this is refused: a mistake (a log file named by accident), not an
// environment.
inline constexpr std::size_t kMaxEnvFileBytes = 1u << 20;

// For every process job of a job or tree JSON (a node without "children") that has
// "env_file" (a path or an array of paths; a relative one is taken from `base_dir`, the
// directory of the file that names it): reads the files in order, adds their variables to
// "env" (a later file wins over an earlier one, "env" itself over every file) and removes
// "env_file". Errors carry the JSON path and "FILE:LINE: reason"; on any error the JSON may
// be half resolved and must not be submitted.
ParseErrors resolve_env_files(nlohmann::json& spec, const std::string& base_dir);

}  // namespace traio
