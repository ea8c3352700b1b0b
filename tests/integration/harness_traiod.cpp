// The Traiod fixture: a traiod launched exactly as a test says (systemd's environment,
// socket activation, another user), for what the Daemon fixture fixes.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <system_error>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

extern char** environ;

namespace traio::test {
namespace fs = std::filesystem;

namespace {

// The variables systemd sets for the one process it means: never inherited by accident.
bool systemd_variable(const std::string& key) {
  return key == "NOTIFY_SOCKET" || key.rfind("LISTEN_", 0) == 0 || key.rfind("WATCHDOG_", 0) == 0;
}

std::vector<std::string> launch_env(const TraiodLaunch& launch) {
  Env env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = kv.substr(0, eq);
    if (key.rfind("TRAIO_", 0) == 0 || systemd_variable(key)) continue;
    env[key] = kv.substr(eq + 1);
  }
  for (const auto& key : launch.unset) env.erase(key);
  for (const auto& [k, v] : launch.env) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  if (launch.listen_fd >= 0) out.push_back("LISTEN_FDS=1");
  return out;
}

// argv[0] as a path: the child execs without searching PATH (execve only after fork).
std::string resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  std::istringstream path(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  for (std::string dir; std::getline(path, dir, ':');)
    if (::access((dir + "/" + program).c_str(), X_OK) == 0) return dir + "/" + program;
  return program;
}

// Appends the child's own pid to "NAME=" with async-signal-safe code only.
void append_pid(char* buffer, size_t size) {
  char digits[24];
  int n = 0;
  for (pid_t pid = ::getpid(); pid > 0; pid /= 10) digits[n++] = static_cast<char>('0' + pid % 10);
  size_t at = 0;
  while (buffer[at] != '\0') ++at;
  while (n > 0 && at + 1 < size) buffer[at++] = digits[--n];
  buffer[at] = '\0';
}

[[noreturn]] void exec_child(int listen_fd, const char* log, char* const* argv, char** envp) {
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD}) ::sigaction(s, &dfl, nullptr);
  // fd 3 first, so that the files opened next cannot land on it.
  if (listen_fd >= 0) {
    if (listen_fd == 3) ::fcntl(3, F_SETFD, 0);
    else if (::dup2(listen_fd, 3) != 3) ::_exit(126);
  }
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = ::open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (in < 0 || out < 0 || ::dup2(in, 0) != 0 || ::dup2(out, 1) != 1 || ::dup2(out, 2) != 2) ::_exit(126);
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

int status_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

Traiod::Traiod(TraiodLaunch launch) : launch_(std::move(launch)) {
  std::vector<std::string> argv = launch_.wrapper;
  argv.push_back(TRAIOD_BIN);
  argv.insert(argv.end(), launch_.args.begin(), launch_.args.end());
  argv[0] = resolve(argv[0]);
  auto env_strings = launch_env(launch_);
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env_strings);
  // "NAME=" now, the pid in the child: only it knows its pid before exec.
  std::vector<std::string> pid_names = launch_.pid_env;
  if (launch_.listen_fd >= 0) pid_names.push_back("LISTEN_PID");
  std::vector<std::array<char, 128>> pid_vars(pid_names.size());
  for (size_t i = 0; i < pid_names.size(); ++i) {
    std::snprintf(pid_vars[i].data(), pid_vars[i].size(), "%s=", pid_names[i].c_str());
    c_env.insert(c_env.end() - 1, pid_vars[i].data());
  }
  const std::string log = launch_.log.string();
  pid_ = ::fork();
  REQUIRE_MESSAGE(pid_ >= 0, "fork: ", std::strerror(errno));
  if (pid_ == 0) {
    for (auto& var : pid_vars) append_pid(var.data(), var.size());
    exec_child(launch_.listen_fd, log.c_str(), c_argv.data(), c_env.data());
  }
}

Traiod::~Traiod() {
  stop(SIGTERM);
  auto left = leftovers();
  CHECK_MESSAGE(left.empty(), left.size(), " process(es) outlived traiod (rule 13)");
  for (pid_t pid : left) ::kill(pid, SIGKILL);
}

std::optional<int> Traiod::exited() {
  if (status_) return status_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status_code(status);
  return status_;
}

int Traiod::stop(int signo, Millis limit) {
  if (exited()) return *status_;
  if (signo != 0) ::kill(pid_, signo);
  const auto until = Clock::now() + limit;
  while (!exited()) {
    if (Clock::now() > until) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
      status_ = -1;
      break;
    }
    ::usleep(20'000);
  }
  return *status_;
}

std::string Traiod::log() const { return read_file(launch_.log); }

std::vector<pid_t> Traiod::leftovers() const {
  if (launch_.leftover_marker.empty()) return {};
  auto found = processes_with_env(launch_.leftover_marker);
  std::erase(found, pid_);
  return found;
}

bool wait_for_ping(const std::string& socket, const Env& env, Millis limit) {
  const auto until = Clock::now() + limit;
  for (;;) {
    if (Proc({traioctl_bin(), "--socket", socket, "ping"}, env).finish(5s).code == 0) return true;
    if (Clock::now() > until) return false;
    ::usleep(50'000);
  }
}

Env environment_of(pid_t pid) {
  Env env;
  std::istringstream in(read_file(fs::path("/proc") / std::to_string(pid) / "environ"));
  for (std::string kv; std::getline(in, kv, '\0');) {
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

std::vector<pid_t> processes_with_env(const std::string& entry) {
  std::vector<pid_t> found;
  const auto eq = entry.find('=');
  for (pid_t pid : all_pids()) {
    if (pid == ::getpid()) continue;
    auto env = environment_of(pid);
    auto it = env.find(entry.substr(0, eq));
    if (it != env.end() && it->second == entry.substr(eq + 1)) found.push_back(pid);
  }
  return found;
}

}  // namespace traio::test
