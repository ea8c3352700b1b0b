#pragma once
// End-to-end harness: a real traiod on a private socket in a temp dir, driven by the real
// traioctl. Every process a test starts is found again (by the daemon's socket path in its
// environment, which every job and its descendants inherit: rule 12) and must be gone
// when the daemon has stopped.
#include <spawn.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace traio::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;
using Env = std::map<std::string, std::string>;

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, const std::string& text);
std::string read_file(const std::filesystem::path& path);

// For posix_spawn: a NULL-ended argv/envp view of `strings` (which must outlive it).
std::vector<char*> c_strings(std::vector<std::string>& strings);
// Children start with default dispositions for the signals tests send, and no mask.
void reset_signals(posix_spawnattr_t& attr);

// What a finished traioctl left behind.
struct CtlResult {
  int code = -1;  // exit code; 128+N when killed by signal N; -1 when the harness killed it
  std::string out;
  std::string err;
  Millis elapsed{0};

  std::string line() const;              // stdout without the trailing newline
  nlohmann::json json() const;           // stdout parsed as one JSON document (throws)
  std::string describe() const;          // for failure messages
};

// A child process with its stdout and stderr captured; stdin is /dev/null.
class Proc {
 public:
  Proc(const std::vector<std::string>& argv, const Env& env);
  ~Proc();  // kills and reaps the process if still running
  Proc(const Proc&) = delete;
  Proc& operator=(const Proc&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // Reads output until the process exits (SIGKILL after `limit`), reaps it.
  CtlResult finish(Millis limit = 30s);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  Clock::time_point started_;
};

struct DaemonOptions {
  DaemonOptions() = default;
  explicit DaemonOptions(std::string extra_config) : config(std::move(extra_config)) {}

  std::string config = "{}";  // extra keys merged into the test config
  Env env;                    // extra environment variables for traiod
  // Runs traiod under this command (e.g. {"unshare", "-fp", "--mount-proc"}), which must
  // fork traiod as its first child and exit with its status. Signals go to traiod itself
  // (unshare does not pass them on).
  std::vector<std::string> wrapper;
};

// A traiod of its own. The destructor stops it (SIGTERM, bounded wait, SIGKILL), and
// checks that it exited 0 and that no process it started is left (rule 13).
class Daemon {
 public:
  explicit Daemon(DaemonOptions options = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  const TempDir& dir() const { return dir_; }
  const std::string& socket() const { return socket_; }
  pid_t pid() const { return pid_; }
  // traiod's own pid: pid(), or the wrapper's child.
  pid_t traiod_pid() const;

  // Runs traioctl with TRAIO_SOCKET set to this daemon's socket.
  CtlResult ctl(const std::vector<std::string>& args, const Env& env = {}, Millis limit = 30s) const;
  // Runs traioctl, requires exit 0, returns stdout without the trailing newline.
  std::string ok(const std::vector<std::string>& args, const Env& env = {}) const;
  std::unique_ptr<Proc> ctl_async(const std::vector<std::string>& args, const Env& env = {}) const;
  Env ctl_env(const Env& extra = {}) const;

  // `inspect --json PATH` as a node object; fails the test when it does not answer.
  nlohmann::json inspect(const std::string& path) const;
  // Polls until `path` resolves (a `traioctl run` may not have submitted its tree yet).
  bool wait_for_node(const std::string& path, Millis limit = 10s) const;
  // Polls until `pred(node)` holds (or `limit` passes); returns the last node seen.
  template <class Pred>
  nlohmann::json inspect_until(const std::string& path, Pred pred, Millis limit = 5s) const;

  // Sends `signo`, waits up to `limit` for the exit; returns the exit status (128+N for a
  // signal, -1 when it had to be killed). Idempotent: later calls return the same status.
  int stop(int signo, Millis limit = 20s);
  // Starts traiod again on the same directory, socket and state (after stop(), e.g. a
  // SIGKILL that leaves its jobs behind): the crash journal's recovery.
  void restart(DaemonOptions options = {});
  // Processes that carry this daemon's socket path in their environment.
  std::vector<pid_t> leftovers() const;
  std::string log() const;

 private:
  void launch(const DaemonOptions& options);

  TempDir dir_;
  std::string socket_;
  pid_t pid_ = -1;
  bool wrapped_ = false;
  std::optional<int> status_;
};

// A traiod started exactly as a test says: its own arguments and environment, maybe under
// a wrapper that execs it (setpriv, systemd-socket-activate: same pid), maybe with a
// listening socket handed over as fd 3 the way systemd does (LISTEN_FDS=1, LISTEN_PID=its
// pid). For what the Daemon fixture fixes (flags, socket, environment). Its output goes to
// a log file. The destructor stops it (SIGTERM, bounded wait, SIGKILL) and kills whatever
// it left (found by `leftover_marker`).
struct TraiodLaunch {
  std::vector<std::string> args{};   // after the traiod binary
  Env env{};                         // over a copy of the test's environment, without TRAIO_*
  std::vector<std::string> unset{};  // variables of the test's environment to leave out
  std::vector<std::string> wrapper{};// run as wrapper..., traiod, args...
  int listen_fd = -1;                // handed over as fd 3 (systemd socket activation)
  std::vector<std::string> pid_env{};// variables set to traiod's pid (WATCHDOG_PID), as systemd does
  std::filesystem::path log{};       // traiod's stdout and stderr
  // Processes with this in their environment ("TRAIO_SOCKET=/x/traio.sock") are its jobs.
  std::string leftover_marker{};
};

class Traiod {
 public:
  explicit Traiod(TraiodLaunch launch);
  ~Traiod();
  Traiod(const Traiod&) = delete;
  Traiod& operator=(const Traiod&) = delete;

  pid_t pid() const { return pid_; }
  // Exit status once it has exited (128+N for a signal), without waiting.
  std::optional<int> exited();
  // Sends `signo` (0: none), waits up to `limit`; the exit status, -1 when it had to be killed.
  int stop(int signo, Millis limit = 20s);
  std::string log() const;
  std::vector<pid_t> leftovers() const;

 private:
  TraiodLaunch launch_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Polls `traioctl --socket PATH ping` (with `env`) until it answers or `limit` passes.
bool wait_for_ping(const std::string& socket, const Env& env = {}, Millis limit = 10s);
// Processes whose environment holds the line `entry` ("TRAIO_SOCKET=/x/traio.sock").
std::vector<pid_t> processes_with_env(const std::string& entry);
// Variable names and values of a process's environment (/proc/PID/environ).
Env environment_of(pid_t pid);

// Every pid in /proc (the test process's own included).
std::vector<pid_t> all_pids();
// Processes whose command line starts with `marker` (e.g. "sleep 31.42"), so that a
// shell running a script that mentions the marker does not count.
std::vector<pid_t> processes_with_cmdline(const std::string& marker);
// Predicates for Daemon::inspect_until.
inline bool is_done(const nlohmann::json& node) { return node["state"] == "done"; }
inline bool is_running(const nlohmann::json& node) { return node["state"] == "running"; }

// Polls until a process whose command line starts with `marker` shows up.
bool wait_for_process(const std::string& marker, Millis limit = 5s);
// A TCP port on 127.0.0.1 that nothing listens on at the time of asking (bound to 0, closed).
int free_port();
// Polls until `path` exists (or `limit` passes).
bool wait_for_file(const std::filesystem::path& path, Millis limit = 5s);
bool process_exists(pid_t pid);
// The path where the test binaries run traioctl from (for jobs that call it: rule 12).
std::string traioctl_bin();
std::string examples_dir();

// The second uid of access tests (SPEC §5): nobody, reached through setpriv.
inline constexpr uid_t kNobody = 65534;
// True, with a printed reason naming `what_needs_it`, when this is not root or there is no
// user nobody (uid 65534) or no /usr/bin/setpriv: the test must then skip.
bool skip_unless_root_and_nobody(const char* what_needs_it);

template <class Pred>
nlohmann::json Daemon::inspect_until(const std::string& path, Pred pred, Millis limit) const {
  const auto until = Clock::now() + limit;
  nlohmann::json node = inspect(path);
  while (!pred(node) && Clock::now() < until) {
    ::usleep(50'000);
    node = inspect(path);
  }
  return node;
}

}  // namespace traio::test
