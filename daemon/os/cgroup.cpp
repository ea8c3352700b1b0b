#include "daemon/os/cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "daemon/os/unique_fd.hpp"

namespace traio::os {

namespace {

Result<void> write_text(const std::string& file, const std::string& text) noexcept {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return last_errno();
  ssize_t n;
  do {
    n = ::write(fd.get(), text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  return {};
}

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
    return write_text(dir + "/cgroup.procs", std::to_string(pid));
  } catch (const std::bad_alloc&) {
    return errno_code(ENOMEM);
  }
}

Result<CgroupDir> CgroupDir::create(std::string path) {
  if (::mkdir(path.c_str(), 0755) < 0) return last_errno();
  return CgroupDir(std::move(path));
}

CgroupDir::CgroupDir(CgroupDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

CgroupDir& CgroupDir::operator=(CgroupDir&& other) noexcept {
  if (this != &other) {
    destroy();
    path_ = std::exchange(other.path_, {});
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
}

Result<void> CgroupDir::add(pid_t pid) noexcept { return move_to_cgroup(path_, pid); }

Result<UniqueFd> CgroupDir::open() const noexcept {
  const int fd = ::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_errno();
  return UniqueFd(fd);
}

Result<void> CgroupDir::kill_all() noexcept { return write_text(path_ + "/cgroup.kill", "1"); }

Result<void> CgroupDir::signal_all(int signo) noexcept {
  try {
    auto text = read_text(path_ + "/cgroup.procs");
    if (!text) return text.error();
    std::istringstream pids(*text);
    pid_t pid;
    while (pids >> pid)
      if (::kill(pid, signo) < 0 && errno != ESRCH) return last_errno();  // ESRCH: exited meanwhile
    return {};
  } catch (const std::bad_alloc&) {
    return errno_code(ENOMEM);
  }
}

Result<bool> CgroupDir::populated() noexcept {
  try {
    auto text = read_text(path_ + "/cgroup.events");
    if (!text) return Result<bool>(boost::system::in_place_error, text.error());
    return text->find("populated 1") != std::string::npos;
  } catch (const std::bad_alloc&) {
    return Result<bool>(boost::system::in_place_error, errno_code(ENOMEM));
  }
}

Result<void> CgroupDir::remove() noexcept {
  if (::rmdir(path_.c_str()) < 0) return last_errno();
  path_.clear();
  return {};
}

}  // namespace traio::os
