#include "daemon/os/launcher.hpp"

#include "daemon/os/launch_cloned.hpp"
#include "daemon/os/launch_forked.hpp"

#include <atomic>
#include <cstdlib>
#include <string_view>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace traio::os {

namespace {

// posix_spawn's attribute and file-action objects, destroyed on every path.
class SpawnAttr {
 public:
  SpawnAttr() { ok_ = ::posix_spawnattr_init(&attr_) == 0; }
  ~SpawnAttr() {
    if (ok_) ::posix_spawnattr_destroy(&attr_);
  }
  SpawnAttr(const SpawnAttr&) = delete;
  SpawnAttr& operator=(const SpawnAttr&) = delete;
  bool ok() const { return ok_; }
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
  bool ok_ = false;
};

class FileActions {
 public:
  FileActions() { ok_ = ::posix_spawn_file_actions_init(&fa_) == 0; }
  ~FileActions() {
    if (ok_) ::posix_spawn_file_actions_destroy(&fa_);
  }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  bool ok() const { return ok_; }
  posix_spawn_file_actions_t* get() { return &fa_; }

 private:
  posix_spawn_file_actions_t fa_;
  bool ok_ = false;
};

// sigfillset leaves out glibc's internal signals (32 and 33: SIGCANCEL, SIGSETXID), and
// posix_spawn then sets them to SIG_IGN in the child, which exec keeps. Setting their bits
// by hand (sigaddset refuses them with EINVAL) makes the child start with them at default.
void add_internal_signals(sigset_t& set) {
  constexpr std::size_t kBits = 8 * sizeof(set.__val[0]);
  for (int sig = 32; sig < SIGRTMIN; ++sig) {
    auto bit = static_cast<std::size_t>(sig - 1);
    set.__val[bit / kBits] |= 1UL << (bit % kBits);
  }
}

// Each posix_spawn* setter returns an errno value (0 on success).
int configure_attr(SpawnAttr& attr) {
  if (!attr.ok()) return ENOMEM;
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  add_internal_signals(all);
  // The daemon blocks and handles signals for Asio; the job must start with a clean slate.
  short flags = POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (int rc = ::posix_spawnattr_setflags(attr.get(), flags)) return rc;
  if (int rc = ::posix_spawnattr_setsigmask(attr.get(), &none)) return rc;
  return ::posix_spawnattr_setsigdefault(attr.get(), &all);
}

int configure_output(FileActions& fa, const LaunchRequest& request) {
  switch (request.output) {
    case OutputTarget::Null:
      if (int rc = ::posix_spawn_file_actions_addopen(fa.get(), 1, "/dev/null", O_WRONLY, 0)) return rc;
      return ::posix_spawn_file_actions_adddup2(fa.get(), 1, 2);
    case OutputTarget::Inherit:
      return 0;  // fds 1 and 2 are the daemon's and are not close-on-exec
    case OutputTarget::Fd:
      if (request.output_fd < 0) return EBADF;
      // dup2 clears FD_CLOEXEC on the copies; closefrom(3) then drops the original.
      if (int rc = ::posix_spawn_file_actions_adddup2(fa.get(), request.output_fd, 1)) return rc;
      return ::posix_spawn_file_actions_adddup2(fa.get(), request.output_fd, 2);
    case OutputTarget::Split:
      if (request.output_fd < 0 || request.error_fd < 0) return EBADF;
      if (int rc = ::posix_spawn_file_actions_adddup2(fa.get(), request.output_fd, 1)) return rc;
      return ::posix_spawn_file_actions_adddup2(fa.get(), request.error_fd, 2);
    case OutputTarget::File: {
      int flags = O_WRONLY | O_CREAT | O_NOCTTY;
      flags |= request.output_file_mode == OpenMode::Append ? O_APPEND : O_TRUNC;
      const char* path = request.output_file.c_str();
      if (int rc = ::posix_spawn_file_actions_addopen(fa.get(), 1, path, flags, 0640)) return rc;
      return ::posix_spawn_file_actions_adddup2(fa.get(), 1, 2);
    }
  }
  return EINVAL;
}

int configure_files(FileActions& fa, const LaunchRequest& request) {
  if (!fa.ok()) return ENOMEM;
  if (!request.cwd.empty()) {
    if (int rc = ::posix_spawn_file_actions_addchdir_np(fa.get(), request.cwd.c_str())) return rc;
  }
  if (int rc = ::posix_spawn_file_actions_addopen(fa.get(), 0, "/dev/null", O_RDONLY, 0)) return rc;
  if (int rc = configure_output(fa, request)) return rc;
  return ::posix_spawn_file_actions_addclosefrom_np(fa.get(), 3);
}

std::string path_of(const std::vector<std::string>& env) {
  for (const auto& entry : env)
    if (entry.rfind("PATH=", 0) == 0) return entry.substr(5);
  return kCleanPath;  // no PATH given: the clean base
}

LaunchFailure failed(LaunchStep step, boost::system::error_code error) { return LaunchFailure{step, error}; }

// glibc's posix_spawn says only "this errno": a chdir and an exec that failed look alike.
// The cwd is checked again to tell them apart.
LaunchFailure spawn_failure(const LaunchRequest& request, int rc) {
  if (!request.cwd.empty()) {
    if (auto dir = check_directory(request.cwd); !dir) return failed(LaunchStep::Cwd, dir.error());
  }
  return failed(LaunchStep::Exec, errno_code(rc));
}

LaunchResult launch_spawned(const LaunchRequest& request, const std::string& program) {
  SpawnAttr attr;
  if (int rc = configure_attr(attr)) return failed(LaunchStep::Setup, errno_code(rc));
  FileActions fa;
  if (int rc = configure_files(fa, request)) return failed(LaunchStep::Setup, errno_code(rc));
  auto argv = detail::c_strings(request.argv);
  auto envp = detail::c_strings(request.env);
  pid_t pid = -1;
  // glibc reports a failed chdir or exec as the return value, and has reaped the child.
  if (int rc = ::posix_spawn(&pid, program.c_str(), fa.get(), attr.get(), argv.data(), envp.data()))
    return spawn_failure(request, rc);
  return detail::adopt(pid);
}

}  // namespace

namespace detail {

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

LaunchResult adopt(pid_t pid) {
  // A child that already exited is a zombie until we reap it: pidfd_open still works.
  long fd = ::syscall(SYS_pidfd_open, pid, 0);  // pidfds are close-on-exec
  if (fd >= 0) return Child(pid, UniqueFd(static_cast<int>(fd)));
  const int error = errno;
  ::kill(-pid, SIGKILL);  // its own session: the group id is its pid
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return failed(LaunchStep::Setup, errno_code(error));
}

}  // namespace detail

std::string_view to_string(LaunchStep step) {
  switch (step) {
    case LaunchStep::Program: return "program";
    case LaunchStep::Setup: return "setup";
    case LaunchStep::Credentials: return "credentials";
    case LaunchStep::Output: return "output";
    case LaunchStep::Cwd: return "cwd";
    case LaunchStep::Exec: return "exec";
  }
  return "?";
}

Result<std::string> find_executable(const std::string& name, const std::string& path) {
  if (name.empty()) return errno_code(ENOENT);
  if (name.find('/') != std::string::npos) return name;
  bool denied = false;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(begin, end - begin);
    begin = end + 1;
    if (dir.empty()) continue;  // an empty entry would mean the daemon's cwd, not the job's
    std::string candidate = dir + "/" + name;
    struct stat st{};
    if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (errno == EACCES) denied = true;
  }
  return errno_code(denied ? EACCES : ENOENT);
}

Result<Child> launch(const LaunchRequest& request) {
  auto child = launch_process(request);
  if (!child) return child.error().error;
  return std::move(*child);
}

namespace {

bool clone3_wanted_by_environment() {
  const char* value = std::getenv("TRAIOD_CLONE3");
  return value == nullptr || std::string_view(value) != "off";
}

std::atomic<bool> g_clone3{clone3_wanted_by_environment()};

bool is_missing_clone3(const LaunchFailure& failure) {
  return failure.step == LaunchStep::Setup && failure.error.value() == ENOSYS;
}

}  // namespace

void set_clone3_enabled(bool enabled) noexcept { g_clone3 = enabled; }
bool clone3_enabled() noexcept { return g_clone3; }

LaunchResult launch_process(const LaunchRequest& request) {
  if (request.argv.empty()) return failed(LaunchStep::Program, errno_code(EINVAL));
  // Before any clone: the child may only make async-signal-safe calls.
  auto program = find_executable(request.argv[0], path_of(request.env));
  if (!program) return failed(LaunchStep::Program, program.error());
  if (g_clone3) {
    auto child = detail::launch_cloned(request, *program);
    if (child || !is_missing_clone3(child.error())) return child;
    g_clone3 = false;  // this kernel (or architecture) has no clone3: the older paths from now on
  }
  if (request.cgroup_fd >= 0) return failed(LaunchStep::Setup, errno_code(ENOSYS));
  if (request.credentials) return detail::launch_forked(request, *program);
  return launch_spawned(request, *program);
}

Result<Pipe> make_pipe() noexcept {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return last_errno();
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<UniqueFd> open_output_file(const std::string& path, OpenMode mode) noexcept {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY;
  switch (mode) {
    case OpenMode::Append: flags |= O_APPEND; break;
    case OpenMode::Truncate: flags |= O_TRUNC; break;
  }
  int fd = ::open(path.c_str(), flags, 0640);
  if (fd < 0) return last_errno();
  return UniqueFd(fd);
}

Result<void> check_directory(const std::string& path) noexcept {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return last_errno();
  if (!S_ISDIR(st.st_mode)) return errno_code(ENOTDIR);
  if (::access(path.c_str(), X_OK) != 0) return last_errno();
  return {};
}

}  // namespace traio::os
