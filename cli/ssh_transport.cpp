#include "cli/ssh_transport.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace traio::cli {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr int kPoll = 10'000;        // us between looks at ssh
constexpr int kGraceTries = 100;     // 1 s for ssh to end on its own once its stdin is closed
constexpr int kTermTries = 400;      // 4 s more after SIGTERM, then SIGKILL

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// True once `pid` is reaped (its wait status in `status`), polling up to `tries` times.
bool reaped_within(pid_t pid, int tries, int& status) {
  for (int i = 0;; ++i) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return true;
    if (i >= tries) return false;
    ::usleep(kPoll);
  }
}

// Ends ssh: it normally goes on its own once its stdin is closed (the remote bridge ends);
// one that does not (a `logs -f` the user stopped, whose remote follow is still quiet) gets
// SIGTERM, which closes the connection and so the remote bridge; then SIGKILL. The signals
// go to its process group: under $TRAIO_SSH our child is `sh -c`, and ssh its child.
int reap(pid_t pid, int grace_tries) {
  int status = 0;
  if (reaped_within(pid, grace_tries, status)) return status;
  ::kill(-pid, SIGTERM);
  if (reaped_within(pid, kTermTries, status)) return status;
  ::kill(-pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// The live ssh, for a traioctl that ends through std::exit (logs -f on Ctrl-C): no
// destructor runs then, but atexit handlers do.
pid_t live_ssh = -1;

void reap_live_ssh() {
  if (live_ssh > 0) reap(live_ssh, 0);
  live_ssh = -1;
}

}  // namespace

Expected<std::unique_ptr<SshTransport>> SshTransport::start(asio::io_context& io,
                                                            const std::vector<std::string>& argv) {
  int in[2];   // our write end -> ssh's stdin
  int out[2];  // ssh's stdout -> our read end
  if (::pipe2(in, O_CLOEXEC) != 0) return Error{ErrorCode::Internal, std::strerror(errno)};
  if (::pipe2(out, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(in[0]);
    ::close(in[1]);
    return Error{ErrorCode::Internal, std::strerror(err)};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A process group of its own: a Ctrl-C on the terminal is traioctl's to handle (run and
  // spawn --wait then cancel what they own, over this very connection), not ssh's.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int err = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  ::close(out[1]);
  if (err != 0) {
    ::close(in[1]);
    ::close(out[0]);
    return Error{ErrorCode::Internal, argv[0] + ": " + std::strerror(err)};
  }
  static const bool registered = std::atexit(reap_live_ssh) == 0;
  (void)registered;
  live_ssh = pid;
  return std::unique_ptr<SshTransport>(new SshTransport(io, pid, in[1], out[0]));
}

SshTransport::SshTransport(asio::io_context& io, pid_t pid, int to_ssh, int from_ssh)
    : pid_(pid), to_ssh_(to_ssh), from_ssh_(io, from_ssh) {}

SshTransport::~SshTransport() { finish(); }

void SshTransport::async_read_some(asio::mutable_buffer into, ReadHandler done) {
  from_ssh_.async_read_some(into, std::move(done));
}

error_code SshTransport::write_all(asio::const_buffer data) {
  if (to_ssh_ < 0) return asio::error::broken_pipe;
  // A gone ssh must give EPIPE here, not kill traioctl: SIGPIPE is held back for the write
  // and a pending one taken (the process's own SIGPIPE stays as it was, so `traioctl ... |
  // head` still ends as usual).
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  const char* p = static_cast<const char*>(data.data());
  std::size_t left = data.size();
  error_code ec;
  while (left > 0) {
    const ssize_t n = ::write(to_ssh_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      ec = error_code(errno, boost::system::system_category());
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (ec == asio::error::broken_pipe && !sigismember(&old, SIGPIPE)) {
    const timespec zero{0, 0};
    ::sigtimedwait(&pipe_set, nullptr, &zero);
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ec;
}

int SshTransport::finish() {
  if (pid_ < 0) return -1;
  close_fd(to_ssh_);
  error_code ignored;
  from_ssh_.close(ignored);
  const int status = reap(pid_, kGraceTries);
  if (live_ssh == pid_) live_ssh = -1;
  pid_ = -1;
  return status;
}

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "exit code " + std::to_string(WEXITSTATUS(status));
}

}  // namespace traio::cli
