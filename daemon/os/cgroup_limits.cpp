#include "daemon/os/cgroup_limits.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "daemon/os/unique_fd.hpp"

namespace traio::os {

Result<void> write_cgroup_file(int dir, const char* file, std::string_view text) noexcept {
  UniqueFd fd(::openat(dir, file, O_WRONLY | O_CLOEXEC));
  if (!fd) return last_errno();
  ssize_t n;
  do {
    n = ::write(fd.get(), text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  return {};
}

Result<std::string> read_cgroup_list(const std::string& dir, const char* file) {
  std::ifstream in(dir + "/" + file);
  if (!in) return errno_code(errno != 0 ? errno : ENOENT);
  std::string line;
  std::getline(in, line);
  return line;
}

bool list_has(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    const auto space = list.find(' ');
    if (list.substr(0, space) == name) return true;
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
  return false;
}

Result<void> enable_controller(const std::string& dir, std::string_view name) {
  return write_cgroup_file(AT_FDCWD, (dir + "/cgroup.subtree_control").c_str(), "+" + std::string(name));
}

std::uint64_t read_cgroup_oom_kills(int dir) noexcept {
  UniqueFd fd(::openat(dir, "memory.events", O_RDONLY | O_CLOEXEC));
  if (!fd) return 0;
  char buffer[512];
  ssize_t n;
  do {
    n = ::read(fd.get(), buffer, sizeof buffer - 1);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return 0;
  const std::string_view text(buffer, static_cast<std::size_t>(n));
  constexpr std::string_view kKey = "oom_kill ";
  for (std::size_t at = 0; (at = text.find(kKey, at)) != std::string_view::npos; at += kKey.size()) {
    if (at != 0 && text[at - 1] != '\n') continue;  // not "oom_group_kill"
    std::uint64_t kills = 0;
    for (std::size_t i = at + kKey.size(); i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
      kills = kills * 10 + static_cast<std::uint64_t>(text[i] - '0');
    return kills;
  }
  return 0;
}

}  // namespace traio::os
