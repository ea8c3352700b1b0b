// Jobs with credentials (the clone3 path, or fork where clone3 is missing): the child's uid,
// gid and groups as /proc shows them, the same clean slate as other jobs get, and each
// failed step reported with its errno. Running as another user needs root: skipped otherwise.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "daemon/os/launcher.hpp"
#include "tests/unit/os/launch_test_support.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio;
using namespace traio::os;
using traio::test::TempDir;
using traio::test::wait_exit;

namespace {

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

bool skip_unless_root() {
  if (::geteuid() == 0) return false;
  MESSAGE("skipped: running a child as another user needs root");
  return true;
}

LaunchRequest as_nobody(std::vector<std::string> argv, std::vector<gid_t> groups = {kNogroup}) {
  LaunchRequest r = test::request_for(std::move(argv));
  r.credentials = Credentials{kNobody, kNogroup, std::move(groups)};
  return r;
}

// "1 2 3" -> {1, 2, 3}
std::set<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::set<std::string> out;
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

bool is_sleep(const Child& child) {
  return test::wait_until([&] { return test::proc_status_field(child.pid(), "Name") == "sleep"; });
}

// A directory `mode` that nobody can reach (its parent, the test's temp dir, is opened up).
std::string make_dir(const TempDir& dir, const std::string& name, std::filesystem::perms mode) {
  std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
  std::string path = dir.file(name);
  std::filesystem::create_directory(path);
  std::filesystem::permissions(path, mode);
  return path;
}

}  // namespace

TEST_CASE("launch as user: the child has the job's uid, gid and supplementary groups") {
  if (skip_unless_root()) return;
  auto child = launch_process(as_nobody({"sleep", "30"}, {kNogroup, 4242}));
  REQUIRE(child.has_value());
  REQUIRE(is_sleep(*child));
  CHECK(words(*test::proc_status_field(child->pid(), "Uid")) == std::set<std::string>{"65534"});
  CHECK(words(*test::proc_status_field(child->pid(), "Gid")) == std::set<std::string>{"65534"});
  CHECK(words(*test::proc_status_field(child->pid(), "Groups")) == std::set<std::string>{"4242", "65534"});
}  // ~Child kills and reaps it

TEST_CASE("launch as user: the child starts as posix_spawn's do: own session, clean signals, fds 0-2 only") {
  if (skip_unless_root()) return;
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  REQUIRE(::pthread_sigmask(SIG_BLOCK, &block, &old) == 0);
  struct sigaction ignore{}, old_usr2{};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGUSR2, &ignore, &old_usr2) == 0);
  int leaky = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose

  auto child = launch_process(as_nobody({"sleep", "30"}));

  ::close(leaky);
  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  REQUIRE(child.has_value());
  REQUIRE(is_sleep(*child));
  CHECK(test::proc_status_field(child->pid(), "SigBlk") == "0000000000000000");
  CHECK(test::proc_status_field(child->pid(), "SigIgn") == "0000000000000000");
  CHECK(::getsid(child->pid()) == child->pid());
  CHECK(test::holds_only_std_fds(child->pid()));
  CHECK(std::filesystem::read_symlink("/proc/" + std::to_string(child->pid()) + "/fd/0") == "/dev/null");
}

TEST_CASE("launch as user: its output goes to the given fds, and it exits with its own status") {
  if (skip_unless_root()) return;
  TempDir dir;
  auto out = open_output_file(dir.file("out"), OpenMode::Truncate);
  REQUIRE(out.has_value());
  auto r = as_nobody({"sh", "-c", "id -u; id -g; echo err >&2; exit 3"});
  r.output = OutputTarget::Fd;
  r.output_fd = out->get();
  r.cwd = "/";
  auto child = launch_process(r);
  REQUIRE(child.has_value());
  CHECK(wait_exit(*child).code == 3);
  CHECK(test::read_file(dir.file("out")) == "65534\n65534\nerr\n");
  CHECK(test::no_children_left());
}

TEST_CASE("launch as user: an output file is opened as the user, and a new one is the user's") {
  if (skip_unless_root()) return;
  TempDir dir;
  const std::string open_dir = make_dir(dir, "open", std::filesystem::perms(0777));
  auto r = as_nobody({"echo", "hello"});
  r.output = OutputTarget::File;
  r.output_file = open_dir + "/out.txt";
  auto child = launch_process(r);
  REQUIRE(child.has_value());
  CHECK(wait_exit(*child).code == 0);
  CHECK(test::read_file(r.output_file) == "hello\n");
  struct stat st{};
  REQUIRE(::stat(r.output_file.c_str(), &st) == 0);
  CHECK(st.st_uid == kNobody);

  const std::string closed_dir = make_dir(dir, "closed", std::filesystem::perms(0755));
  r.output_file = closed_dir + "/out.txt";  // root could write here, nobody cannot
  auto refused = launch_process(r);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().step == LaunchStep::Output);
  CHECK(refused.error().error == boost::system::errc::permission_denied);
  CHECK_FALSE(std::filesystem::exists(r.output_file));
  CHECK(test::no_children_left());
}

TEST_CASE("launch as user: a cwd the user cannot enter, or that does not exist, fails at the cwd step") {
  if (skip_unless_root()) return;
  TempDir dir;
  auto r = as_nobody({"/bin/true"});
  r.cwd = make_dir(dir, "private", std::filesystem::perms(0700));
  auto denied = launch_process(r);
  REQUIRE_FALSE(denied.has_value());
  CHECK(denied.error().step == LaunchStep::Cwd);
  CHECK(denied.error().error == boost::system::errc::permission_denied);
  r.cwd = "/nonexistent-traio-dir";
  auto missing = launch_process(r);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().step == LaunchStep::Cwd);
  CHECK(missing.error().error == boost::system::errc::no_such_file_or_directory);
  CHECK(test::no_children_left());
}

TEST_CASE("launch as user: a program the user may not execute fails at the exec step with EACCES") {
  if (skip_unless_root()) return;
  TempDir dir;
  const std::string bin = make_dir(dir, "bin", std::filesystem::perms(0755));
  const std::string script = bin + "/owner-only";
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  std::filesystem::permissions(script, std::filesystem::perms(0744));  // x for root only
  auto child = launch_process(as_nobody({script}));
  REQUIRE_FALSE(child.has_value());
  CHECK(child.error().step == LaunchStep::Exec);
  CHECK(child.error().error == boost::system::errc::permission_denied);
  auto missing = launch_process(as_nobody({"traio-no-such-program"}));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().step == LaunchStep::Program);
  CHECK(missing.error().error == boost::system::errc::no_such_file_or_directory);
  CHECK(test::no_children_left());
}

TEST_CASE("launch as user: without the right to switch, the credentials step fails with EPERM") {
  if (skip_unless_root()) return;
  // A helper process that is nobody tries to start a child as root.
  pid_t helper = ::fork();
  REQUIRE(helper >= 0);
  if (helper == 0) {
    if (::setresgid(kNogroup, kNogroup, kNogroup) != 0 || ::setresuid(kNobody, kNobody, kNobody) != 0) ::_exit(10);
    LaunchRequest r;
    r.argv = {"/bin/true"};
    r.credentials = Credentials{0, 0, {0}};
    auto child = launch_process(r);
    if (child) ::_exit(11);
    if (child.error().step != LaunchStep::Credentials) ::_exit(12);
    ::_exit(child.error().error == boost::system::errc::operation_not_permitted ? 0 : 13);
  }
  int status = 0;
  REQUIRE(::waitpid(helper, &status, 0) == helper);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("launch: without credentials, the step of a failed start is told too") {
  auto r = LaunchRequest{};
  r.argv = {"/bin/true"};
  r.cwd = "/nonexistent-traio-dir";
  auto cwd = launch_process(r);
  REQUIRE_FALSE(cwd.has_value());
  CHECK(cwd.error().step == LaunchStep::Cwd);
  r.cwd.clear();
  r.argv = {"traio-no-such-program"};
  auto program = launch_process(r);
  REQUIRE_FALSE(program.has_value());
  CHECK(program.error().step == LaunchStep::Program);
  TempDir dir;
  std::ofstream(dir.file("noexec")) << "#!/bin/sh\n";
  std::filesystem::permissions(dir.file("noexec"), std::filesystem::perms(0644));
  r.argv = {dir.file("noexec")};
  auto exec = launch_process(r);
  REQUIRE_FALSE(exec.has_value());
  CHECK(exec.error().step == LaunchStep::Exec);
  CHECK(exec.error().error == boost::system::errc::permission_denied);
  CHECK(test::no_children_left());
}
