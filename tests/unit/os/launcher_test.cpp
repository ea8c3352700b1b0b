// The launcher with real processes: exit statuses, start failures, the clean slate a child
// starts with (signal mask, dispositions, fds), cwd and output.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>

#include <filesystem>

#include "daemon/os/launcher.hpp"
#include "tests/unit/os/launch_test_support.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio;
using namespace traio::os;
using traio::test::request_for;
using traio::test::TempDir;
using traio::test::wait_exit;


TEST_CASE("launcher: /bin/true exits 0 and is reaped") {
  auto child = launch(request_for({"/bin/true"}));
  REQUIRE(child.has_value());
  auto status = wait_exit(*child);
  CHECK(status.kind == ExitKind::Exited);
  CHECK(status.code == 0);
  CHECK(child->reaped());
  CHECK(test::no_children_left());
}

TEST_CASE("launcher: false found in PATH exits 1") {
  auto child = launch(request_for({"false"}));
  REQUIRE(child.has_value());
  auto status = wait_exit(*child);
  CHECK(status.kind == ExitKind::Exited);
  CHECK(status.code == 1);
}

TEST_CASE("launcher: a missing program is ENOENT and leaves no zombie") {
  auto by_name = launch(request_for({"traio-no-such-program"}));
  REQUIRE_FALSE(by_name.has_value());
  CHECK(by_name.error().value() == ENOENT);
  CHECK(by_name.error().message() == "No such file or directory");
  auto by_path = launch(request_for({"/nonexistent/prog"}));
  REQUIRE_FALSE(by_path.has_value());
  CHECK(by_path.error().value() == ENOENT);
  CHECK(test::no_children_left());
}

TEST_CASE("launcher: a bad cwd fails the start") {
  auto r = request_for({"/bin/true"});
  r.cwd = "/nonexistent-traio-dir";
  auto child = launch(r);
  REQUIRE_FALSE(child.has_value());
  CHECK(child.error().value() == ENOENT);
  CHECK_FALSE(check_directory(r.cwd).has_value());
  CHECK(check_directory("/tmp").has_value());
  CHECK(test::no_children_left());
}

TEST_CASE("launcher: lookup uses the job's PATH, not the daemon's") {
  TempDir dir;
  std::string script = dir.file("traio-hello");
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nexit 7\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms(0755));
  auto found = find_executable("traio-hello", "/nonexistent:" + dir.path());
  REQUIRE(found.has_value());
  CHECK(*found == script);
  CHECK(find_executable("traio-hello", kCleanPath).error().value() == ENOENT);

  auto r = request_for({"traio-hello"});
  r.env = {"PATH=" + dir.path()};
  auto child = launch(r);
  REQUIRE(child.has_value());
  CHECK(wait_exit(*child).code == 7);
}

TEST_CASE("launcher: a non-executable match is EACCES") {
  TempDir dir;
  std::ofstream(dir.file("traio-noexec")) << "#!/bin/sh\n";
  std::filesystem::permissions(dir.file("traio-noexec"), std::filesystem::perms(0644));
  // Even root needs one x bit for access(X_OK).
  CHECK(find_executable("traio-noexec", dir.path()).error().value() == EACCES);
}

TEST_CASE("launcher: the child starts with an empty signal mask and default dispositions") {
  // The daemon blocks and ignores signals; none of that may reach a job.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGTERM);
  REQUIRE(::pthread_sigmask(SIG_BLOCK, &block, &old) == 0);
  struct sigaction ignore{}, old_usr2{};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGUSR2, &ignore, &old_usr2) == 0);

  auto child = launch(request_for({"sleep", "30"}));

  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  REQUIRE(child.has_value());
  // /proc shows the new program only after exec: wait for it to be `sleep`.
  REQUIRE(test::wait_until([&] { return test::proc_status_field(child->pid(), "Name") == "sleep"; }));
  CHECK(test::proc_status_field(child->pid(), "SigBlk") == "0000000000000000");
  CHECK(test::proc_status_field(child->pid(), "SigIgn") == "0000000000000000");
  // Its own session: it is the session and group leader.
  CHECK(::getsid(child->pid()) == child->pid());
  CHECK(::getpgid(child->pid()) == child->pid());
}  // ~Child kills and reaps it

TEST_CASE("launcher: the child gets no fd of the daemon, stdin is /dev/null") {
  int leaky = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  REQUIRE(leaky >= 3);
  auto child = launch(request_for({"sleep", "30"}));
  ::close(leaky);
  REQUIRE(child.has_value());
  REQUIRE(test::wait_until([&] { return test::proc_status_field(child->pid(), "Name") == "sleep"; }));
  CHECK(test::holds_only_std_fds(child->pid()));
  auto in = std::filesystem::read_symlink("/proc/" + std::to_string(child->pid()) + "/fd/0");
  CHECK(in == "/dev/null");
}

TEST_CASE("launcher: cwd is honoured and output goes to the given file, stdout and stderr") {
  TempDir dir;
  auto out = open_output_file(dir.file("out.log"), OpenMode::Truncate);
  REQUIRE(out.has_value());
  auto r = request_for({"sh", "-c", "pwd; echo to-stderr >&2"});
  r.cwd = dir.path();
  r.output = OutputTarget::Fd;
  r.output_fd = out->get();
  auto child = launch(r);
  REQUIRE(child.has_value());
  CHECK(wait_exit(*child).code == 0);
  auto text = test::read_file(dir.file("out.log"));
  CHECK(text == std::filesystem::canonical(dir.path()).string() + "\nto-stderr\n");
}

TEST_CASE("launcher: append mode keeps earlier output, truncate drops it") {
  TempDir dir;
  std::ofstream(dir.file("f")) << "old\n";
  for (auto mode : {OpenMode::Append, OpenMode::Truncate}) {
    auto out = open_output_file(dir.file("f"), mode);
    REQUIRE(out.has_value());
    auto r = request_for({"echo", "new"});
    r.output = OutputTarget::Fd;
    r.output_fd = out->get();
    auto child = launch(r);
    REQUIRE(child.has_value());
    wait_exit(*child);
  }
  CHECK(test::read_file(dir.file("f")) == "new\n");
}
