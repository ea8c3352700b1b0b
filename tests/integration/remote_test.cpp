// SPEC §6 "Remote" (issue 10, item 7): `traioctl --host USER@HOST ...` drives a traiod
// through `ssh HOST traioctl bridge`, with the remote login's own access rules. A private
// sshd on 127.0.0.1 (random port, keys in a temp dir) stands in for the remote host; the
// remote traioctl is the one just built (--remote-traioctl) and the daemon is the test's
// (--remote-socket). Root only, with sshd and ssh installed: skipped with a reason elsewhere.
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";
constexpr const char* kSsh = "/usr/bin/ssh";
constexpr const char* kSshKeygen = "/usr/bin/ssh-keygen";
constexpr const char* kUseradd = "/usr/sbin/useradd";
constexpr const char* kUserdel = "/usr/sbin/userdel";

bool executable(const char* path) { return ::access(path, X_OK) == 0; }

// True, with a printed reason, when the test cannot run here.
bool skip_without_sshd(const char* what) {
  if (::geteuid() != 0) {
    MESSAGE("skipped (needs root to run a private sshd): ", what);
    return true;
  }
  for (const char* tool : {kSshd, kSsh, kSshKeygen}) {
    if (!executable(tool)) {
      MESSAGE("skipped (", tool, " is not installed: scripts/test_packages.sh): ", what);
      return true;
    }
  }
  return false;
}

// Runs a helper command to its end; its exit code.
int run(const std::vector<std::string>& argv) {
  CtlResult r = Proc(argv, {}).finish(30s);
  if (r.code != 0) MESSAGE(argv[0], " failed: ", r.describe());
  return r.code;
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A client key pair (no passphrase) in `dir`; the TRAIO_SSH that uses it on `port`.
std::string ssh_command(const TempDir& dir, int port) {
  return "ssh -i " + (dir / "client_key").string() + " -p " + std::to_string(port) +
         " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR";
}

// A private sshd on 127.0.0.1: its own host key, authorized keys per user in its temp dir
// (AuthorizedKeysFile .../keys/%u), no PAM, no passwords. Stopped (SIGTERM, then killed)
// and its directory removed by the destructor.
class PrivateSshd {
 public:
  PrivateSshd() {
    // The users that log in read their authorized keys as themselves.
    fs::permissions(dir_.path(), fs::perms(0755));
    fs::create_directory(dir_ / "keys");
    REQUIRE(run({kSshKeygen, "-q", "-t", "ed25519", "-N", "", "-f", (dir_ / "host_key").string()}) == 0);
    REQUIRE(run({kSshKeygen, "-q", "-t", "ed25519", "-N", "", "-f", (dir_ / "client_key").string()}) == 0);
    // sshd's privilege separation needs it; the package makes it at boot (tmpfiles), a
    // container without the service may not have it. Left in place: another test's sshd
    // may be using it.
    fs::create_directories("/run/sshd");
    port_ = free_port();
    write_file(dir_ / "sshd_config",
               "Port " + std::to_string(port_) + "\nListenAddress 127.0.0.1\n" +
                   "HostKey " + (dir_ / "host_key").string() + "\n" +
                   "AuthorizedKeysFile " + (dir_ / "keys").string() + "/%u\n" +
                   "PidFile none\nUsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\n"
                   "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                   "AllowTcpForwarding no\nX11Forwarding no\nPrintMotd no\nLogLevel INFO\n");
    sshd_ = std::make_unique<Proc>(
        std::vector<std::string>{"/bin/sh", "-c",
                                 std::string("exec ") + kSshd + " -D -e -f " +
                                     (dir_ / "sshd_config").string() + " 2>>" + (dir_ / "sshd.log").string()},
        Env{});
    const auto until = Clock::now() + 10s;
    while (!accepts(port_) && Clock::now() < until) ::usleep(20'000);
    REQUIRE_MESSAGE(accepts(port_), "sshd did not listen: ", log());
  }
  ~PrivateSshd() {
    sshd_->signal(SIGTERM);
    sshd_->finish(10s);  // killed when it does not go
  }
  PrivateSshd(const PrivateSshd&) = delete;
  PrivateSshd& operator=(const PrivateSshd&) = delete;

  // Lets `user` log in with the client key.
  void authorize(const std::string& user) const {
    write_file(dir_ / "keys" / user, read_file(dir_ / "client_key.pub"));
    fs::permissions(dir_ / "keys" / user, fs::perms(0644));
  }
  // The environment for a traioctl that reaches this sshd.
  Env ssh_env() const { return {{"TRAIO_SSH", ssh_command(dir_, port_)}}; }
  int port() const { return port_; }
  std::string log() const {
    std::error_code ec;
    return fs::exists(dir_ / "sshd.log", ec) ? read_file(dir_ / "sshd.log") : std::string();
  }

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Proc> sshd_;
};

// traioctl's arguments to drive `d` as USER through the private sshd.
std::vector<std::string> remote(const Daemon& d, const std::string& user, std::vector<std::string> args) {
  std::vector<std::string> out = {"--host", user + "@127.0.0.1", "--remote-socket", d.socket(),
                                  "--remote-traioctl", traioctl_bin()};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

// A user of its own with a login shell (sshd runs the remote command through it, and
// nobody's is nologin), removed again by the destructor. Not locked ('*', not '!'):
// without PAM, sshd refuses locked accounts even for key logins.
class TempUser {
 public:
  TempUser() : name_("traio-rt" + std::to_string(::getpid())) {
    created_ = run({kUseradd, "--no-create-home", "--home-dir", "/", "--shell", "/bin/sh",
                    "--password", "*", "--no-user-group", "--gid", "nogroup", name_}) == 0;
  }
  ~TempUser() {
    if (created_) run({kUserdel, name_});
  }
  TempUser(const TempUser&) = delete;
  TempUser& operator=(const TempUser&) = delete;
  bool created() const { return created_; }
  const std::string& name() const { return name_; }
  uid_t uid() const { return ::getpwnam(name_.c_str())->pw_uid; }

 private:
  std::string name_;
  bool created_ = false;
};

}  // namespace

TEST_CASE("--host root@HOST ps shows the remote daemon's tree through ssh and traioctl bridge") {
  if (skip_without_sshd("remote ps")) return;
  PrivateSshd sshd;
  sshd.authorize("root");
  Daemon d;
  const std::string job = d.ok({"spawn", "--name", "seen-remotely", "--", "sleep", "37.11"});
  const CtlResult ps = d.ctl(remote(d, "root", {"ps"}), sshd.ssh_env());
  CHECK_MESSAGE(ps.code == 0, ps.describe(), sshd.log());
  CHECK_MESSAGE(ps.out.find("seen-remotely") != std::string::npos, ps.describe());
  const CtlResult json = d.ctl(remote(d, "root", {"--json", "inspect", job}), sshd.ssh_env());
  REQUIRE_MESSAGE(json.code == 0, json.describe());
  CHECK(json.json()["node"]["state"] == "running");
  d.ok({"cancel", job});
}

TEST_CASE("--host spawn --wait runs a real job remotely and passes its exit code") {
  if (skip_without_sshd("remote spawn --wait")) return;
  PrivateSshd sshd;
  sshd.authorize("root");
  Daemon d;
  const CtlResult child = d.ctl(
      remote(d, "root", {"spawn", "--wait", "--no-bubble", "--exit-code", "child", "--", "sh", "-c", "exit 3"}),
      sshd.ssh_env());
  CHECK_MESSAGE(child.code == 3, child.describe(), sshd.log());
  const CtlResult outcome =
      d.ctl(remote(d, "root", {"spawn", "--wait", "--no-bubble", "--", "sh", "-c", "exit 3"}), sshd.ssh_env());
  CHECK_MESSAGE(outcome.code == 1, outcome.describe());  // outcome failed
  const CtlResult ok = d.ctl(remote(d, "root", {"spawn", "--wait", "--", "/bin/true"}), sshd.ssh_env());
  CHECK_MESSAGE(ok.code == 0, ok.describe());
}

TEST_CASE("--host logs -f streams lines as the job prints them and ends with the job") {
  if (skip_without_sshd("remote logs -f")) return;
  PrivateSshd sshd;
  sshd.authorize("root");
  Daemon d;
  const fs::path go = d.dir() / "go";
  const std::string job = d.ok({"spawn", "--name", "talker", "--", "sh", "-c",
                                "echo first-line; while [ ! -e " + go.string() +
                                    " ]; do sleep 0.05; done; echo second-line"});
  // Through a shell into a file, so the test can read what has arrived so far.
  const fs::path out = d.dir() / "follow.out";
  std::string command = "exec " + traioctl_bin();
  for (const auto& a : remote(d, "root", {"logs", job, "-f"})) command += " '" + a + "'";
  Proc follow({"/bin/sh", "-c", command + " > " + out.string()}, d.ctl_env(sshd.ssh_env()));
  const auto until = Clock::now() + 10s;
  while (Clock::now() < until && (!fs::exists(out) || read_file(out).find("first-line") == std::string::npos))
    ::usleep(50'000);
  const std::string before = fs::exists(out) ? read_file(out) : "";
  CHECK_MESSAGE(before.find("first-line") != std::string::npos, before, sshd.log());
  CHECK(before.find("second-line") == std::string::npos);
  CHECK(d.inspect(job)["state"] == "running");  // streamed while the job still runs
  write_file(go, "");
  const CtlResult r = follow.finish(20s);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(read_file(out).find("second-line") != std::string::npos);
}

TEST_CASE("--host logs -f stopped by Ctrl-C leaves no ssh and no remote bridge behind") {
  if (skip_without_sshd("remote logs -f interrupted")) return;
  PrivateSshd sshd;
  sshd.authorize("root");
  Daemon d;
  const std::string job = d.ok({"spawn", "--name", "quiet", "--", "sleep", "37.14"});
  auto follow = d.ctl_async(remote(d, "root", {"logs", job, "-f"}), sshd.ssh_env());
  const std::string bridge = traioctl_bin() + " bridge --socket " + d.socket();
  REQUIRE_MESSAGE(wait_for_process(bridge, 10s), sshd.log());
  ::usleep(200'000);  // the follow has begun
  follow->signal(SIGINT);
  const CtlResult r = follow->finish(20s);
  CHECK_MESSAGE(r.code == 0, r.describe());
  const auto until = Clock::now() + 10s;
  while (Clock::now() < until && !processes_with_cmdline(bridge).empty()) ::usleep(50'000);
  CHECK(processes_with_cmdline(bridge).empty());
  CHECK(processes_with_cmdline(sshd.ssh_env().at("TRAIO_SSH")).empty());  // reaped by traioctl
  d.ok({"cancel", job});
}

TEST_CASE("--host as a non-root login cannot cancel root's job -- access by the remote uid") {
  if (skip_without_sshd("remote access by uid")) return;
  if (!executable(kUseradd) || !executable(kUserdel)) {
    MESSAGE("skipped (no useradd/userdel): remote access by uid");
    return;
  }
  TempUser user;
  REQUIRE(user.created());
  PrivateSshd sshd;
  sshd.authorize(user.name());
  Daemon d(DaemonOptions{R"({"socket": {"mode": "0666"}})"});
  fs::permissions(d.dir().path(), fs::perms(0755));  // the socket's directory, for the user
  const std::string roots = d.ok({"spawn", "--name", "roots", "--", "sleep", "37.12"});
  const CtlResult cancel = d.ctl(remote(d, user.name(), {"cancel", roots}), sshd.ssh_env());
  CHECK_MESSAGE(cancel.code == 7, cancel.describe(), sshd.log());
  CHECK_MESSAGE(cancel.err.find("may not act on " + roots) != std::string::npos, cancel.describe());
  CHECK(d.inspect(roots)["state"] == "running");
  // What the user starts remotely is theirs: the daemon saw the login's uid, not root's.
  const std::string own = d.ctl(remote(d, user.name(), {"spawn", "--", "sleep", "37.13"}), sshd.ssh_env()).line();
  REQUIRE(!own.empty());
  CHECK(d.inspect(own)["owner_uid"] == user.uid());
  const CtlResult mine = d.ctl(remote(d, user.name(), {"cancel", own}), sshd.ssh_env());
  CHECK_MESSAGE(mine.code == 0, mine.describe());
  d.ok({"cancel", roots});
}

TEST_CASE("--host to a login sshd refuses gives a clear error and exit 6") {
  if (skip_without_sshd("remote login refused")) return;
  PrivateSshd sshd;  // no key authorized for anyone
  Daemon d;
  const CtlResult r = d.ctl(remote(d, "root", {"ps"}), sshd.ssh_env());
  CHECK_MESSAGE(r.code == 6, r.describe());
  CHECK_MESSAGE(r.err.find("cannot reach traiod on root@127.0.0.1") != std::string::npos, r.describe());
  CHECK(r.err.find("ssh failed") != std::string::npos);
}

TEST_CASE("--host to an unreachable host gives a clear error and exit 6 and leaves no ssh behind") {
  if (::access(kSsh, X_OK) != 0) {
    MESSAGE("skipped (no ssh client): remote unreachable host");
    return;
  }
  const int port = free_port();  // nothing listens there
  const std::string marker = "ssh -p " + std::to_string(port);
  const Env env = {{"TRAIO_SSH", marker + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"}};
  const CtlResult r = Proc({traioctl_bin(), "--host", "root@127.0.0.1", "ps"}, env).finish(30s);
  CHECK_MESSAGE(r.code == 6, r.describe());
  CHECK_MESSAGE(r.err.find("cannot reach traiod on root@127.0.0.1: ssh failed") != std::string::npos,
                r.describe());
  CHECK(r.err.find("Connection refused") != std::string::npos);  // ssh's own word, passed on
  CHECK(processes_with_cmdline(marker).empty());
}

TEST_CASE("--host with a host that starts with '-' is a usage error and runs no ssh") {
  const CtlResult r = Proc({traioctl_bin(), "--host=-oProxyCommand=touch", "ps"}, {}).finish(30s);
  CHECK_MESSAGE(r.code == 2, r.describe());
  CHECK(r.err.find("cannot start with '-'") != std::string::npos);
}

TEST_CASE("bridge copies NDJSON both ways untouched and exits 0 once stdin ends and replies are in") {
  Daemon d;
  const std::string requests =
      "{\"v\": 1, \"id\": 1, \"op\": \"ping\", \"args\": {}}\n"
      "{\"v\": 1, \"id\": 2, \"op\": \"inspect\", \"args\": {\"path\": \"/\"}}\n";
  write_file(d.dir() / "requests", requests);
  const CtlResult r = Proc({"/bin/sh", "-c", "exec " + traioctl_bin() + " bridge < " + (d.dir() / "requests").string()},
                           d.ctl_env()).finish(30s);
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  std::vector<nlohmann::json> replies;
  for (size_t pos = 0, nl; (nl = r.out.find('\n', pos)) != std::string::npos; pos = nl + 1)
    replies.push_back(nlohmann::json::parse(r.out.substr(pos, nl - pos)));
  REQUIRE(replies.size() == 2);
  CHECK(replies[0]["id"] == 1);
  CHECK(replies[0]["result"]["pong"] == true);
  CHECK(replies[1]["id"] == 2);
  CHECK(replies[1]["result"]["node"]["path"] == "/");
}

TEST_CASE("bridge to a socket no traiod listens on exits 6 with the reason on stderr") {
  TempDir dir;
  const CtlResult r =
      Proc({traioctl_bin(), "bridge", "--socket", (dir / "none.sock").string()}, {}).finish(30s);
  CHECK_MESSAGE(r.code == 6, r.describe());
  CHECK(r.out.empty());  // stdout is the protocol stream: nothing but replies
  CHECK(r.err.find("cannot reach traiod at") != std::string::npos);
}

TEST_CASE("bridge still delivers a wait reply that comes after stdin ended -- half-close drains") {
  Daemon d;
  const fs::path go = d.dir() / "go";
  const std::string job =
      d.ok({"spawn", "--", "sh", "-c", "while [ ! -e " + go.string() + " ]; do sleep 0.05; done"});
  write_file(d.dir() / "requests",
             "{\"v\": 1, \"id\": 7, \"op\": \"wait\", \"args\": {\"paths\": [\"" + job + "\"]}}\n");
  Proc bridge({"/bin/sh", "-c", "exec " + traioctl_bin() + " bridge < " + (d.dir() / "requests").string()},
              d.ctl_env());
  ::usleep(300'000);  // stdin has ended by now and the wait is in flight
  CHECK(d.inspect(job)["state"] == "running");
  write_file(go, "");
  const CtlResult r = bridge.finish(20s);
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  REQUIRE(r.out.size() > 1);
  // The final reply is the last line (stream events of the wait may come before it).
  const auto reply = nlohmann::json::parse(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1));
  CHECK(reply["id"] == 7);
  CHECK_MESSAGE(reply["ok"] == true, r.out);
}
