#include "daemon/os/cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>

#include "daemon/os/cgroup_limits.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio::os {

namespace {

Result<std::string> read_text(const std::string& file) {
  std::ifstream in(file);
  if (!in) return errno_code(errno != 0 ? errno : ENOENT);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string cgroup2_mount_point() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    return mount_point;
  }
  return {};
}

}  // namespace

Result<std::string> own_cgroup_dir() {
  auto text = read_text("/proc/self/cgroup");
  if (!text) return text.error();
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::string mount = cgroup2_mount_point();
    if (mount.empty()) return errno_code(ENOENT);
    std::string rel = line.substr(3);
    return rel == "/" ? mount : mount + rel;
  }
  return errno_code(ENOENT);
}

Result<void> move_to_cgroup(const std::string& dir, pid_t pid) noexcept {
  try {
    return write_cgroup_file(AT_FDCWD, (dir + "/cgroup.procs").c_str(), std::to_string(pid));
  } catch (const std::bad_alloc&) {
    return errno_code(ENOMEM);
  }
}

Result<CgroupDir> CgroupDir::create(std::string path) {
  if (::mkdir(path.c_str(), 0755) < 0) return last_errno();
  UniqueFd dir(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    const auto error = last_errno();
    ::rmdir(path.c_str());
    return error;
  }
  return CgroupDir(std::move(path), std::move(dir));
}

Result<CgroupDir> CgroupDir::create_in(const CgroupDir& parent, std::string leaf) {
  if (leaf.size() > 128 || leaf.find('/') != std::string::npos) return errno_code(EINVAL);
  if (::mkdirat(parent.fd(), leaf.c_str(), 0755) < 0) return last_errno();
  UniqueFd dir(::openat(parent.fd(), leaf.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    const auto error = last_errno();
    ::unlinkat(parent.fd(), leaf.c_str(), AT_REMOVEDIR);
    return error;
  }
  CgroupDir made(parent.path() + "/" + leaf, std::move(dir));
  made.parent_fd_ = parent.fd();
  made.leaf_ = std::move(leaf);
  return made;
}

CgroupDir::CgroupDir(CgroupDir&& other) noexcept
    : path_(std::exchange(other.path_, {})),
      dir_(std::move(other.dir_)),
      parent_fd_(std::exchange(other.parent_fd_, -1)),
      leaf_(std::move(other.leaf_)) {}

CgroupDir& CgroupDir::operator=(CgroupDir&& other) noexcept {
  if (this != &other) {
    destroy();
    path_ = std::exchange(other.path_, {});
    dir_ = std::move(other.dir_);
    parent_fd_ = std::exchange(other.parent_fd_, -1);
    leaf_ = std::move(other.leaf_);
  }
  return *this;
}

CgroupDir::~CgroupDir() { destroy(); }

void CgroupDir::destroy() noexcept {
  if (!valid()) return;
  // SIGKILLed processes take a moment to leave; rmdir is EBUSY until then.
  for (int attempt = 0; attempt < 500; ++attempt) {
    auto removed = remove();
    if (removed || removed.error().value() != EBUSY) break;
    (void)kill_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  path_.clear();
  dir_.reset();
  parent_fd_ = -1;
}

bool CgroupDir::locate(const char* file, int& dirfd, const char*& relative, char (&buffer)[256]) const noexcept {
  if (dir_ || parent_fd_ < 0) {
    dirfd = dir_.get();
    relative = file;
    return true;
  }
  const int n = std::snprintf(buffer, sizeof buffer, "%s/%s", leaf_.c_str(), file);
  if (n < 0 || static_cast<std::size_t>(n) >= sizeof buffer) return false;
  dirfd = parent_fd_;
  relative = buffer;
  return true;
}

Result<void> CgroupDir::write_file(const char* file, std::string_view text) const noexcept {
  int dirfd;
  const char* relative;
  char buffer[256];
  if (!locate(file, dirfd, relative, buffer)) return errno_code(ENAMETOOLONG);
  return write_cgroup_file(dirfd, relative, text);
}

bool CgroupDir::read_file(const char* file, std::string& out) const noexcept {
  int dirfd;
  const char* relative;
  char buffer[256];
  if (!locate(file, dirfd, relative, buffer)) {
    errno = ENAMETOOLONG;
    return false;
  }
  UniqueFd fd(::openat(dirfd, relative, O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    try {
      out.append(buf, static_cast<std::size_t>(n));
    } catch (const std::bad_alloc&) {
      errno = ENOMEM;
      return false;
    }
  }
}

Result<void> CgroupDir::add(pid_t pid) noexcept {
  char text[16];
  const int n = std::snprintf(text, sizeof text, "%d", pid);
  return write_file("cgroup.procs", std::string_view(text, static_cast<std::size_t>(n)));
}

Result<void> CgroupDir::kill_all() noexcept { return write_file("cgroup.kill", "1"); }

Result<void> CgroupDir::freeze(bool frozen) noexcept {
  return write_file("cgroup.freeze", frozen ? "1" : "0");
}

Result<void> CgroupDir::signal_all(int signo) noexcept {
  int failure = 0;
  auto read = for_each_pid([&](pid_t pid) {
    if (::kill(pid, signo) < 0 && errno != ESRCH && failure == 0) failure = errno;  // ESRCH: exited meanwhile
  });
  if (!read) return read.error();
  if (failure != 0) return errno_code(failure);
  return {};
}

Result<bool> CgroupDir::populated() noexcept {
  std::string text;
  if (!read_file("cgroup.events", text)) return Result<bool>(boost::system::in_place_error, last_errno());
  return text.find("populated 1") != std::string::npos;
}

Result<void> CgroupDir::remove() noexcept {
  // By name in the parent when we have it: no walk of the whole path.
  const int rc = parent_fd_ >= 0 ? ::unlinkat(parent_fd_, leaf_.c_str(), AT_REMOVEDIR) : ::rmdir(path_.c_str());
  if (rc < 0) return last_errno();
  path_.clear();
  dir_.reset();
  parent_fd_ = -1;
  return {};
}

}  // namespace traio::os
