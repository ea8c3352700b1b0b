#pragma once
// Internal to config/: the fields of one job object and the fields every node shares.
// node_spec.cpp drives the tree; this file knows what a job may hold (SPEC §2).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"
#include "config/node_spec.hpp"

namespace traio {

// Hostile input stays bounded: these are far above what execve(2) accepts anyway.
inline constexpr std::size_t kMaxArgs = 4096;
inline constexpr std::size_t kMaxArgBytes = 128 * 1024;
inline constexpr std::size_t kMaxEnvEntries = 4096;

// Fields of SPEC §2 and §6 that this version does not implement: reported as
// "not supported yet", never silently ignored.
bool is_unsupported_field(std::string_view key);

// True for the fields of a job (of any kind): a scope names them as not valid for it.
bool is_job_field(std::string_view key);

// An argv array (a process's, or a `ready.exec` probe's): non-empty strings without NUL,
// bounded in count and size.
void read_argv(const nlohmann::json& v, const std::string& path, FieldErrors& e, std::vector<std::string>& out);

// name, master, bubble, awaited, timeout: shared by jobs and scopes. Returns false when
// `key` is none of them.
bool read_node_field(std::string_view key, const nlohmann::json& value, const std::string& path,
                     std::string& name, NodeFlags& flags, std::optional<Duration>& timeout, FieldErrors& e);

enum class ChildrenKey { Reject, AlreadyReported };

// Parses one job object at `path` ("" for a document, "children[2]" inside a tree).
JobSpec parse_job(const nlohmann::json& object, const std::string& path, FieldErrors& e, ChildrenKey children);

}  // namespace traio
