#include "tests/integration/harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <doctest/doctest.h>

extern char** environ;

namespace traio::test {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// A socket path must fit in sun_path (108 bytes): fall back to /tmp for a long $TMPDIR.
fs::path temp_root() {
  const char* tmp = std::getenv("TMPDIR");
  if (tmp != nullptr && *tmp != '\0' && std::strlen(tmp) < 60) return tmp;
  return "/tmp";
}

int exit_status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Every variable of ours, minus the ones that would make traioctl talk to another daemon
// or scope (a test run inside a traio job), plus `extra`.
std::vector<std::string> make_env(const Env& extra) {
  Env env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string key = kv.substr(0, eq);
    if (key.rfind("TRAIO_", 0) == 0) continue;
    env[key] = kv.substr(eq + 1);
  }
  env["NO_COLOR"] = "1";
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

pid_t spawn(std::vector<std::string> argv, const Env& extra_env,
            const posix_spawn_file_actions_t& actions) {
  auto env_strings = make_env(extra_env);
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env_strings);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  reset_signals(attr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    fail_errno("posix_spawn " + argv[0]);
  }
  return pid;
}

}  // namespace

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void reset_signals(posix_spawnattr_t& attr) {
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}


// ---- files ----

TempDir::TempDir() {
  std::string tmpl = (temp_root() / "traio-it.XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) fail_errno("mkdtemp");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// ---- CtlResult ----

std::string CtlResult::line() const {
  std::string s = out;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

nlohmann::json CtlResult::json() const { return nlohmann::json::parse(out); }

std::string CtlResult::describe() const {
  return "exit " + std::to_string(code) + " after " + std::to_string(elapsed.count()) +
         "ms\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
}

// ---- Proc ----

Proc::Proc(const std::vector<std::string>& argv, const Env& env) : started_(Clock::now()) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) fail_errno("pipe2");
  if (::pipe2(err, O_CLOEXEC) != 0) fail_errno("pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  try {
    pid_ = spawn(argv, env, actions);
  } catch (...) {
    posix_spawn_file_actions_destroy(&actions);
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    throw;
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
}

Proc::~Proc() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

void Proc::signal(int signo) const {
  if (pid_ > 0) ::kill(pid_, signo);
}

CtlResult Proc::finish(Millis limit) {
  CtlResult r;
  const auto deadline = started_ + limit;
  bool killed = false;
  std::string* sinks[2] = {&r.out, &r.err};
  int* fds[2] = {&out_fd_, &err_fd_};
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    pollfd p[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
    if (left <= 0 && !killed) {
      ::kill(pid_, SIGKILL);  // hung: its pipes close once it is gone
      killed = true;
    }
    int n = ::poll(p, 2, killed ? 1000 : static_cast<int>(std::min<long>(left, 1000)));
    if (n < 0 && errno != EINTR) fail_errno("poll");
    for (int i = 0; i < 2; ++i) {
      if (*fds[i] < 0 || (p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[4096];
      ssize_t got = ::read(*fds[i], buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(*fds[i]);
        *fds[i] = -1;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) fail_errno("waitpid");
  }
  pid_ = -1;
  r.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started_);
  r.code = killed ? -1 : exit_status_code(status);
  return r;
}

// ---- processes ----

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") == std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

std::vector<pid_t> processes_with_cmdline(const std::string& marker) {
  std::vector<pid_t> found;
  for (pid_t pid : all_pids()) {
    if (pid == ::getpid()) continue;
    std::string cmd = read_file(fs::path("/proc") / std::to_string(pid) / "cmdline");
    for (char& c : cmd) if (c == '\0') c = ' ';
    if (cmd.rfind(marker, 0) == 0) found.push_back(pid);
  }
  return found;
}

bool wait_for_process(const std::string& marker, Millis limit) {
  const auto until = Clock::now() + limit;
  while (processes_with_cmdline(marker).empty()) {
    if (Clock::now() > until) return false;
    ::usleep(50'000);
  }
  return true;
}

bool wait_for_file(const std::filesystem::path& path, Millis limit) {
  const auto until = Clock::now() + limit;
  while (!std::filesystem::exists(path)) {
    if (Clock::now() > until) return false;
    ::usleep(20'000);
  }
  return true;
}

bool process_exists(pid_t pid) {
  // A zombie still has a /proc entry but no memory: count it as gone only once reaped.
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

std::string traioctl_bin() { return TRAIOCTL_BIN; }
std::string examples_dir() { return TRAIO_EXAMPLES_DIR; }

bool skip_unless_root_and_nobody(const char* what_needs_it) {
  if (::geteuid() != 0) {
    MESSAGE("skipped: ", what_needs_it, " needs root (setpriv)");
    return true;
  }
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr || nobody->pw_uid != kNobody || ::access("/usr/bin/setpriv", X_OK) != 0) {
    MESSAGE("skipped: needs user nobody (uid 65534) and /usr/bin/setpriv");
    return true;
  }
  return false;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace traio::test
