#pragma once
// SPEC §6 limits through cgroup v2 controllers: which controllers a directory's children
// may use, turning them on for them, writing the limit files, and reading the OOM kills.
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/os/sys_error.hpp"

namespace traio::os {

// Writes `text` to `file` of the directory `dir` (an fd, or AT_FDCWD with a full path).
Result<void> write_cgroup_file(int dir, const char* file, std::string_view text) noexcept;
// The space-separated names in `dir`/`file` (cgroup.controllers, cgroup.subtree_control).
Result<std::string> read_cgroup_list(const std::string& dir, const char* file);
// Whether the space-separated `list` holds `name`.
bool list_has(std::string_view list, std::string_view name);
// "+name" to `dir`/cgroup.subtree_control: the children of `dir` get the controller.
Result<void> enable_controller(const std::string& dir, std::string_view name);
// `oom_kill` of `dir`/memory.events (0 when the file is missing: no memory controller).
std::uint64_t read_cgroup_oom_kills(int dir) noexcept;

}  // namespace traio::os
