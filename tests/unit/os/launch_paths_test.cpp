// The launcher's paths: clone3 (the default, which also starts a child in its cgroup) and the
// posix_spawn and fork fallbacks kept for kernels or architectures without clone3. Each path
// must give a job the same clean slate and report failed starts the same way.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "daemon/os/cgroup.hpp"
#include "daemon/os/launcher.hpp"
#include "tests/unit/os/launch_test_support.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio;
using namespace traio::os;
using traio::test::request_for;
using traio::test::TempDir;
using traio::test::wait_exit;

namespace {

// Runs the test body with clone3 on or off, and restores the default after.
class LaunchPath {
 public:
  explicit LaunchPath(bool clone3) : before_(clone3_enabled()) { set_clone3_enabled(clone3); }
  ~LaunchPath() { set_clone3_enabled(before_); }
  LaunchPath(const LaunchPath&) = delete;
  LaunchPath& operator=(const LaunchPath&) = delete;

 private:
  bool before_;
};


// The same checks on whichever path is selected.
void check_clean_start_and_failures() {
  // Exit status, and the child's own session.
  auto ok = launch_process(request_for({"sh", "-c", "exit 7"}));
  REQUIRE(ok.has_value());
  CHECK(wait_exit(*ok).code == 7);

  {  // A clean slate: mask, dispositions, fds, stdin. ~Child kills and reaps the sleeper.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  REQUIRE(::pthread_sigmask(SIG_BLOCK, &block, &old) == 0);
  struct sigaction ignore{}, old_usr2{};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGUSR2, &ignore, &old_usr2) == 0);
  int leaky = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  auto sleeper = launch_process(request_for({"sleep", "30"}));
  ::close(leaky);
  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  REQUIRE(sleeper.has_value());
  const int pid = sleeper->pid();
  REQUIRE(test::wait_until([&] { return test::proc_status_field(pid, "Name") == "sleep"; }));
  CHECK(test::proc_status_field(pid, "SigBlk") == "0000000000000000");
  CHECK(test::proc_status_field(pid, "SigIgn") == "0000000000000000");
  CHECK(::getsid(pid) == pid);
  CHECK(test::holds_only_std_fds(pid));
  CHECK(std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/fd/0") == "/dev/null");
  }

  // Failed starts say which step failed, with the errno, and leave no child behind.
  TempDir dir;
  auto bad_cwd = request_for({"true"});
  bad_cwd.cwd = dir.file("missing");
  auto cwd_failure = launch_process(bad_cwd);
  REQUIRE_FALSE(cwd_failure.has_value());
  CHECK(cwd_failure.error().step == LaunchStep::Cwd);
  CHECK(cwd_failure.error().error.value() == ENOENT);

  const std::string script = dir.file("no-shebang");
  std::ofstream(script) << "\x7f" "ELF not really\n";
  std::filesystem::permissions(script, std::filesystem::perms(0755));
  auto exec_failure = launch_process(request_for({script}));
  REQUIRE_FALSE(exec_failure.has_value());
  CHECK(exec_failure.error().step == LaunchStep::Exec);
  CHECK(exec_failure.error().error.value() == ENOEXEC);
  CHECK(test::no_children_left());
}

}  // namespace

TEST_CASE("launch paths: clone3 gives the clean slate and reports failed steps") {
  LaunchPath path(true);
  check_clean_start_and_failures();
  CHECK(clone3_enabled());  // this machine's kernel has clone3: it was not turned off
}

TEST_CASE("launch paths: the posix_spawn fallback gives the same clean slate and reports") {
  LaunchPath path(false);
  check_clean_start_and_failures();
}

TEST_CASE("launch paths: clone3 starts the child inside its cgroup, not beside it") {
  auto own = own_cgroup_dir();
  REQUIRE(own.has_value());
  auto leaf = CgroupDir::create(*own + "/traio-launch-test-" + std::to_string(::getpid()));
  if (!leaf) {
    MESSAGE("skipped: cgroup v2 not writable here: " << leaf.error().message());
    return;
  }
  LaunchPath path(true);
  // The child reads its own cgroup as its first act: it was born there, never moved.
  TempDir dir;
  auto out = open_output_file(dir.file("cgroup"), OpenMode::Truncate);
  REQUIRE(out.has_value());
  auto r = request_for({"cat", "/proc/self/cgroup"});
  r.output = OutputTarget::Fd;
  r.output_fd = out->get();
  r.cgroup_fd = leaf->fd();
  auto child = launch_process(r);
  REQUIRE(child.has_value());
  CHECK(wait_exit(*child).code == 0);
  const std::string relative = leaf->path().substr(leaf->path().find("/traio-launch-test-"));
  const std::string text = test::read_file(dir.file("cgroup"));
  CHECK_MESSAGE(text.find("0::") != std::string::npos, text);
  CHECK_MESSAGE(text.find(relative + "\n") != std::string::npos, text);
  // The daemon itself never entered the leaf.
  CHECK(test::read_file("/proc/self/cgroup").find(relative) == std::string::npos);

  // With credentials too (the job's user), when we may change them.
  if (::geteuid() == 0) {
    auto as_nobody = request_for({"sh", "-c", "id -u; cat /proc/self/cgroup"});
    as_nobody.output = OutputTarget::Fd;
    auto out2 = open_output_file(dir.file("cgroup2"), OpenMode::Truncate);
    REQUIRE(out2.has_value());
    as_nobody.output_fd = out2->get();
    as_nobody.cgroup_fd = leaf->fd();
    as_nobody.credentials = Credentials{65534, 65534, {65534}};
    auto user_child = launch_process(as_nobody);
    REQUIRE(user_child.has_value());
    CHECK(wait_exit(*user_child).code == 0);
    const std::string text2 = test::read_file(dir.file("cgroup2"));
    CHECK_MESSAGE(text2.rfind("65534\n", 0) == 0, text2);
    CHECK_MESSAGE(text2.find(relative + "\n") != std::string::npos, text2);
  }
}

TEST_CASE("launch paths: without clone3 a start into a cgroup is refused as unsupported, for the caller to fall back") {
  auto own = own_cgroup_dir();
  REQUIRE(own.has_value());
  LaunchPath path(false);
  auto r = request_for({"true"});
  int fd = ::open(own->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  r.cgroup_fd = fd;
  auto child = launch_process(r);
  ::close(fd);
  REQUIRE_FALSE(child.has_value());
  CHECK(child.error().step == LaunchStep::Setup);
  CHECK(child.error().error.value() == ENOSYS);
}
