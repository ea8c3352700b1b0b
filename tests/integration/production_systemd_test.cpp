// SPEC §4 systemd without libsystemd, against the real traiod: the test plays systemd with a
// datagram socket of its own as NOTIFY_SOCKET (READY=1, STATUS=, WATCHDOG=1, STOPPING=1),
// and hands traiod a listening socket as fd 3 (LISTEN_FDS), by hand and through
// systemd-socket-activate. None of systemd's variables may reach a job.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <poll.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <regex>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSystemdVariables = {"NOTIFY_SOCKET", "LISTEN_PID",    "LISTEN_FDS",
                                                    "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID"};

// sockaddr_un for a path, or for "@name" in the abstract namespace (as systemd writes it).
std::pair<sockaddr_un, socklen_t> unix_address(const std::string& address) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  REQUIRE(address.size() < sizeof sa.sun_path);
  std::memcpy(sa.sun_path, address.data(), address.size());
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  if (address[0] == '@') sa.sun_path[0] = '\0';  // no trailing NUL: the name is `len` bytes
  else len += 1;
  return {sa, len};
}

// What systemd listens on: every datagram traiod sends is kept, in order.
class NotifySocket {
 public:
  explicit NotifySocket(std::string address) : address_(std::move(address)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    auto [sa, len] = unix_address(address_);
    REQUIRE_MESSAGE(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) == 0, std::strerror(errno));
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& address() const { return address_; }

  // The next datagram, or nullopt when none comes within `limit`.
  std::optional<std::string> receive(Millis limit) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) != 1) return std::nullopt;
    char buf[4096];
    ssize_t got = ::recv(fd_, buf, sizeof buf, 0);
    if (got < 0) return std::nullopt;
    seen_.emplace_back(buf, static_cast<size_t>(got));
    return seen_.back();
  }

  // Datagrams until one holding `part` (returned), or nullopt after `limit`.
  std::optional<std::string> receive_until(const std::string& part, Millis limit = 10s) {
    const auto until = Clock::now() + limit;
    for (;;) {
      auto left = std::chrono::duration_cast<Millis>(until - Clock::now());
      if (left <= Millis(0)) return std::nullopt;
      auto message = receive(left);
      if (!message) return std::nullopt;
      if (message->find(part) != std::string::npos) return message;
    }
  }

  std::string history() const {
    std::string out;
    for (const auto& m : seen_) out += "[" + m + "]\n";
    return out;
  }

 private:
  std::string address_;
  int fd_ = -1;
  std::vector<std::string> seen_;
};

// A listening Unix stream socket, as a .socket unit makes it.
int listening_socket(const std::string& path, int type = SOCK_STREAM, bool listen = true) {
  int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  auto [sa, len] = unix_address(path);
  REQUIRE_MESSAGE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0, std::strerror(errno));
  if (listen) REQUIRE(::listen(fd, 64) == 0);
  return fd;
}

bool can_connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto [sa, len] = unix_address(path);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0;
  ::close(fd);
  return ok;
}

// A config that keeps everything in `dir`; its socket path is `dir/traio.sock`.
fs::path write_config(const TempDir& dir) {
  json config = {{"socket", {{"path", (dir / "traio.sock").string()}}},
                 {"state_dir", (dir / "state").string()},
                 {"log_dir", (dir / "logs").string()},
                 {"boot_dir", (dir / "boot").string()},
                 {"defaults", {{"stop", {{"grace", "2s"}}}}}};
  write_file(dir / "traiod.json", config.dump(2));
  return dir / "traiod.json";
}

TraiodLaunch launch_in(const TempDir& dir, Env env = {}) {
  return {.args = {"--config", write_config(dir).string()},
          .env = std::move(env),
          .log = dir / "traiod.log",
          .leftover_marker = "TRAIO_SOCKET=" + (dir / "traio.sock").string()};
}

// "3 live node(s), ..." in a STATUS= line.
int live_count(const std::string& message) {
  std::smatch m;
  if (!std::regex_search(message, m, std::regex("STATUS=(stopping: )?([0-9]+) live node"))) return -1;
  return std::stoi(m[2]);
}

CtlResult ctl_at(const std::string& socket, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {traioctl_bin(), "--socket", socket};
  argv.insert(argv.end(), args.begin(), args.end());
  return Proc(argv, {}).finish(30s);
}

ino_t inode_of(const std::string& path) {
  struct stat st{};
  REQUIRE_MESSAGE(::lstat(path.c_str(), &st) == 0, path);
  REQUIRE(S_ISSOCK(st.st_mode));
  return st.st_ino;
}

// Spawns a long sleep through `socket` and checks the environment its process got.
void check_job_environment(const std::string& socket, const std::string& marker) {
  auto spawned = ctl_at(socket, {"spawn", "--", "sleep", marker});
  REQUIRE_MESSAGE(spawned.code == 0, spawned.describe());
  REQUIRE(wait_for_process("sleep " + marker));
  auto pids = processes_with_cmdline("sleep " + marker);
  REQUIRE(pids.size() == 1);
  Env env = environment_of(pids[0]);
  CHECK(env["TRAIO_SOCKET"] == socket);  // rule 12: the socket it was activated on
  for (const auto& name : kSystemdVariables) CHECK_MESSAGE(env.count(name) == 0, name, " reached the job");
}

}  // namespace

TEST_CASE("systemd: READY=1 comes once the socket accepts connections, STOPPING=1 on SIGTERM") {
  TempDir dir;
  NotifySocket systemd((dir / "notify").string());
  Traiod traiod(launch_in(dir, {{"NOTIFY_SOCKET", systemd.address()}}));
  auto ready = systemd.receive_until("READY=1");
  REQUIRE_MESSAGE(ready, traiod.log());
  // Right after READY=1, not a moment later: a unit ordered After= this one connects now.
  CHECK(can_connect((dir / "traio.sock").string()));
  CHECK_MESSAGE(live_count(*ready) >= 1, *ready);  // `/` itself
  ::kill(traiod.pid(), SIGTERM);
  auto stopping = systemd.receive_until("STOPPING=1");
  CHECK_MESSAGE(stopping, systemd.history(), traiod.log());
  CHECK(traiod.stop(0) == 0);
}

TEST_CASE("systemd: STATUS= follows the live counts without a watchdog") {
  TempDir dir;
  NotifySocket systemd((dir / "notify").string());
  Traiod traiod(launch_in(dir, {{"NOTIFY_SOCKET", systemd.address()}}));
  auto ready = systemd.receive_until("READY=1");
  REQUIRE_MESSAGE(ready, traiod.log());
  const int before = live_count(*ready);
  const std::string socket = (dir / "traio.sock").string();
  for (int i = 0; i < 2; ++i) CHECK(ctl_at(socket, {"spawn", "--", "sleep", "31.81"}).code == 0);
  // Checked once a second: within 5 s, generously.
  const auto until = Clock::now() + 5s;
  int seen = before;
  while (seen != before + 2 && Clock::now() < until) {
    auto status = systemd.receive_until("STATUS=", 1s);
    if (status) seen = live_count(*status);
  }
  CHECK_MESSAGE(seen == before + 2, systemd.history());
  // Once the last client's connection has closed too, nothing changes: no more STATUS= (the
  // timer sends only news).
  while (systemd.receive(Millis(1500))) {}
  CHECK_FALSE_MESSAGE(systemd.receive(Millis(2500)), systemd.history());
}

TEST_CASE("systemd: WATCHDOG=1 every half WATCHDOG_USEC when WATCHDOG_PID is traiod's pid or unset") {
  for (bool with_pid : {true, false}) {
    CAPTURE(with_pid);
    TempDir dir;
    NotifySocket systemd((dir / "notify").string());
    TraiodLaunch launch = launch_in(dir, {{"NOTIFY_SOCKET", systemd.address()}, {"WATCHDOG_USEC", "200000"}});
    if (with_pid) launch.pid_env = {"WATCHDOG_PID"};
    Traiod traiod(std::move(launch));
    REQUIRE_MESSAGE(systemd.receive_until("READY=1"), traiod.log());
    // About 10 in a second at 100 ms; at least 5 even on a loaded machine, and no flood.
    int pings = 0;
    const auto until = Clock::now() + 1s;
    while (Clock::now() < until) {
      auto message = systemd.receive(std::chrono::duration_cast<Millis>(until - Clock::now()));
      if (message && message->find("WATCHDOG=1") != std::string::npos) ++pings;
    }
    CHECK_MESSAGE(pings >= 5, systemd.history());
    CHECK_MESSAGE(pings <= 15, systemd.history());
  }
}

TEST_CASE("systemd: no WATCHDOG=1 when WATCHDOG_PID names another process") {
  TempDir dir;
  NotifySocket systemd((dir / "notify").string());
  Traiod traiod(launch_in(dir, {{"NOTIFY_SOCKET", systemd.address()},
                                {"WATCHDOG_USEC", "200000"},
                                {"WATCHDOG_PID", std::to_string(::getpid())}}));
  REQUIRE_MESSAGE(systemd.receive_until("READY=1"), traiod.log());
  CHECK_FALSE_MESSAGE(systemd.receive_until("WATCHDOG=1", 1500ms), systemd.history());
}

TEST_CASE("systemd: NOTIFY_SOCKET in the abstract namespace (@name) gets READY=1") {
  TempDir dir;
  NotifySocket systemd("@traio-test-" + std::to_string(::getpid()) + "-" + dir.path().filename().string());
  Traiod traiod(launch_in(dir, {{"NOTIFY_SOCKET", systemd.address()}}));
  CHECK_MESSAGE(systemd.receive_until("READY=1"), traiod.log());
  ::kill(traiod.pid(), SIGTERM);
  CHECK(systemd.receive_until("STOPPING=1"));
  CHECK(traiod.stop(0) == 0);
}

TEST_CASE("systemd: a NOTIFY_SOCKET nobody listens on costs nothing") {
  TempDir dir;
  Traiod traiod(launch_in(dir, {{"NOTIFY_SOCKET", (dir / "nobody-here").string()}, {"WATCHDOG_USEC", "200000"}}));
  REQUIRE_MESSAGE(wait_for_ping((dir / "traio.sock").string()), traiod.log());
  ::usleep(300'000);  // a few watchdog turns into the void
  CHECK(ctl_at((dir / "traio.sock").string(), {"ping"}).code == 0);
  CHECK(traiod.stop(SIGTERM) == 0);
}

TEST_CASE("socket activation: traiod serves the socket passed as fd 3, keeps its file, and jobs see no systemd variables") {
  TempDir dir;
  const std::string socket = (dir / "activated.sock").string();
  const int listener = listening_socket(socket);
  const ino_t inode = inode_of(socket);
  NotifySocket systemd((dir / "notify").string());
  TraiodLaunch launch = launch_in(dir, {{"NOTIFY_SOCKET", systemd.address()},
                                        {"LISTEN_FDNAMES", "traiod.socket"},
                                        {"WATCHDOG_USEC", "60000000"}});
  launch.listen_fd = listener;
  launch.pid_env = {"WATCHDOG_PID"};
  launch.leftover_marker = "TRAIO_SOCKET=" + socket;
  {
    Traiod traiod(std::move(launch));
    REQUIRE_MESSAGE(systemd.receive_until("READY=1"), traiod.log());
    CHECK(ctl_at(socket, {"ping"}).code == 0);
    CHECK_FALSE(fs::exists(dir / "traio.sock"));  // the config's path is not bound
    check_job_environment(socket, "31.91");
    CHECK(traiod.stop(SIGTERM) == 0);
    CHECK_MESSAGE(traiod.log().find("listening on " + socket + " (socket from systemd)") != std::string::npos,
                  traiod.log());
  }
  // systemd owns the file: traiod neither removed nor replaced it.
  CHECK(inode_of(socket) == inode);
  ::close(listener);
}

TEST_CASE("socket activation: systemd-socket-activate -l SOCK traiod works") {
  const char* activate = "/usr/bin/systemd-socket-activate";
  if (::access(activate, X_OK) != 0) {
    MESSAGE("skipped: no ", activate, " here (package systemd)");
    return;
  }
  TempDir dir;
  const std::string socket = (dir / "activated.sock").string();
  TraiodLaunch launch = launch_in(dir);
  launch.wrapper = {activate, "-l", socket};
  launch.leftover_marker = "TRAIO_SOCKET=" + socket;
  {
    Traiod traiod(std::move(launch));
    // The first connection makes it exec traiod, which answers that very ping.
    REQUIRE_MESSAGE(wait_for_ping(socket), traiod.log());
    check_job_environment(socket, "31.92");
    CHECK(traiod.stop(SIGTERM) == 0);
    CHECK_MESSAGE(traiod.log().find("(socket from systemd)") != std::string::npos, traiod.log());
  }
  CHECK(fs::exists(socket));
}

TEST_CASE("socket activation: an fd 3 that is no listening Unix stream socket stops traiod with the reason") {
  struct Case {
    int type;
    bool listen;
    std::string reason;
  };
  for (const Case& c : {Case{SOCK_DGRAM, false, "is not a Unix stream socket"}, Case{SOCK_STREAM, false, "does not listen"}}) {
    CAPTURE(c.reason);
    TempDir dir;
    const int fd = listening_socket((dir / "wrong.sock").string(), c.type, c.listen);
    TraiodLaunch launch = launch_in(dir);
    launch.listen_fd = fd;
    Traiod traiod(std::move(launch));
    CHECK(traiod.stop(0, 10s) == 1);
    CHECK_MESSAGE(traiod.log().find(c.reason) != std::string::npos, traiod.log());
    ::close(fd);
  }
}
