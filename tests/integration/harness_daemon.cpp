// The Daemon fixture: one private traiod per test.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

extern char** environ;

namespace traio::test {
namespace fs = std::filesystem;

namespace {

// The test config: nothing from /etc, logs and boot trees inside the temp dir, and a short
// default grace so that a job ignoring SIGTERM costs 2 s, not 10.
std::string make_config(const TempDir& dir, const std::string& extra) {
  nlohmann::json config = {
      {"log_dir", (dir / "logs").string()},
      {"boot_dir", (dir / "boot").string()},
      {"defaults", {{"stop", {{"grace", "2s"}}}}},
  };
  config.merge_patch(nlohmann::json::parse(extra));
  return config.dump(2);
}

std::string environ_of(pid_t pid) {
  std::string env = read_file(fs::path("/proc") / std::to_string(pid) / "environ");
  for (char& c : env) if (c == '\0') c = '\n';
  return env;
}

}  // namespace

Daemon::Daemon(DaemonOptions options) : socket_((dir_ / "traio.sock").string()) { launch(options); }

void Daemon::restart(DaemonOptions options) {
  REQUIRE_MESSAGE(status_.has_value(), "restart() of a daemon that still runs");
  status_.reset();
  launch(options);
}

void Daemon::launch(const DaemonOptions& options) {
  fs::create_directories(dir_ / "boot");
  write_file(dir_ / "traiod.json", make_config(dir_, options.config));
  std::vector<std::string> argv = {TRAIOD_BIN,    "--config",    (dir_ / "traiod.json").string(),
                                   "--socket",    socket_,       "--state-dir",
                                   (dir_ / "state").string()};
  // Should the test process crash, no destructor stops the daemon: setpriv (util-linux) has
  // the kernel send it SIGTERM when we die, and rule 13 then stops its jobs.
  argv.insert(argv.begin(), options.wrapper.begin(), options.wrapper.end());
  wrapped_ = !options.wrapper.empty();
  if (::access("/usr/bin/setpriv", X_OK) == 0)
    argv.insert(argv.begin(), {"/usr/bin/setpriv", "--pdeathsig", "TERM", "--"});
  auto c_argv = c_strings(argv);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (!options.env.count(entry.substr(0, entry.find('=')))) env_strings.push_back(entry);
  }
  for (const auto& [key, value] : options.env) env_strings.push_back(key + "=" + value);
  auto c_env = c_strings(env_strings);
  const std::string log = (dir_ / "traiod.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  reset_signals(attr);
  int rc = posix_spawnp(&pid_, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  REQUIRE_MESSAGE(rc == 0, "cannot start traiod: ", std::strerror(rc));

  const auto until = Clock::now() + 10s;
  for (;;) {
    if (ctl({"ping"}, {}, 5s).code == 0) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      FAIL("traiod exited with ", *status_, " before answering ping:\n", this->log());
    }
    if (Clock::now() > until) {
      stop(SIGKILL, 1s);  // no destructor runs for a constructor that fails
      FAIL("traiod did not answer ping within 10s:\n", this->log());
    }
    ::usleep(50'000);
  }
}

Daemon::~Daemon() {
  if (!status_) stop(SIGTERM);
  CHECK_MESSAGE(*status_ == 0, "traiod did not exit 0 on SIGTERM (rule 13):\n", log());
  auto left = leftovers();
  CHECK_MESSAGE(left.empty(), left.size(), " process(es) outlived traiod (rule 13)");
  for (pid_t pid : left) ::kill(pid, SIGKILL);  // clean up after a failed test anyway
}

Env Daemon::ctl_env(const Env& extra) const {
  Env env = {{"TRAIO_SOCKET", socket_}};
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

CtlResult Daemon::ctl(const std::vector<std::string>& args, const Env& env, Millis limit) const {
  return ctl_async(args, env)->finish(limit);
}

std::string Daemon::ok(const std::vector<std::string>& args, const Env& env) const {
  CtlResult r = ctl(args, env);
  std::string command;
  for (const auto& a : args) command += " " + a;
  REQUIRE_MESSAGE(r.code == 0, "traioctl", command, ": ", r.describe());
  return r.line();
}

std::unique_ptr<Proc> Daemon::ctl_async(const std::vector<std::string>& args, const Env& env) const {
  std::vector<std::string> argv = {TRAIOCTL_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Proc>(argv, ctl_env(env));
}

bool Daemon::wait_for_node(const std::string& path, Millis limit) const {
  const auto until = Clock::now() + limit;
  while (ctl({"inspect", path}).code != 0) {
    if (Clock::now() > until) return false;
    ::usleep(20'000);
  }
  return true;
}

nlohmann::json Daemon::inspect(const std::string& path) const {
  CtlResult r = ctl({"--json", "inspect", path});
  REQUIRE_MESSAGE(r.code == 0, "inspect ", path, ": ", r.describe());
  nlohmann::json j;
  try {
    j = r.json();
  } catch (const std::exception& e) {
    FAIL("inspect --json ", path, " is not JSON: ", e.what(), "\n", r.describe());
  }
  // Accept the bare node or the op's result {"node": ...}.
  if (j.contains("node") && !j.contains("path")) j = j["node"];
  return j;
}

pid_t Daemon::traiod_pid() const {
  if (!wrapped_) return pid_;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) + "/children");
  pid_t child = -1;
  in >> child;
  return child;
}

int Daemon::stop(int signo, Millis limit) {
  if (status_) return *status_;
  const pid_t target = traiod_pid();
  ::kill(target > 0 ? target : pid_, signo);
  const auto until = Clock::now() + limit;
  int status = 0;
  for (;;) {
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return *status_;
    }
    if (got < 0 && errno != EINTR) break;
    if (Clock::now() > until) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
      break;
    }
    ::usleep(20'000);
  }
  status_ = -1;
  return *status_;
}

std::vector<pid_t> Daemon::leftovers() const {
  std::vector<pid_t> found;
  const std::string needle = "\nTRAIO_SOCKET=" + socket_ + "\n";
  for (pid_t pid : all_pids()) {
    if (pid == ::getpid() || pid == pid_) continue;
    if (("\n" + environ_of(pid)).find(needle) != std::string::npos) found.push_back(pid);
  }
  return found;
}

std::string Daemon::log() const { return read_file(dir_ / "traiod.log"); }

}  // namespace traio::test
