// The ssh command line of `traioctl --host` (SPEC §6 "Remote", docs/remote.md).
#include <doctest/doctest.h>

#include "cli/ssh_command.hpp"

using namespace traio::cli;
using Argv = std::vector<std::string>;

TEST_CASE("ssh_argv runs plain ssh without a tty or prompts and the remote traioctl bridge") {
  auto argv = ssh_argv(RemoteTarget{"alice@build1"}, std::nullopt);
  REQUIRE(argv);
  CHECK(*argv == Argv{"ssh", "-T", "-o", "BatchMode=yes", "--", "alice@build1", "traioctl bridge"});
}

TEST_CASE("ssh_argv passes --remote-socket and --remote-traioctl quoted for the remote shell") {
  RemoteTarget target{"db", std::string("/run/my traio/s.sock"), "/opt/traio/bin/traioctl"};
  auto argv = ssh_argv(target, std::nullopt);
  REQUIRE(argv);
  CHECK(argv->back() == "/opt/traio/bin/traioctl bridge --socket '/run/my traio/s.sock'");
}

TEST_CASE("ssh_argv runs TRAIO_SSH through sh -c with our arguments after its own") {
  auto argv = ssh_argv(RemoteTarget{"h"}, std::string("ssh -i '/k ey' -p 2222"));
  REQUIRE(argv);
  CHECK(*argv == Argv{"/bin/sh", "-c", "ssh -i '/k ey' -p 2222 \"$@\"", "sh", "-T", "-o", "BatchMode=yes",
                      "--", "h", "traioctl bridge"});
  auto empty = ssh_argv(RemoteTarget{"h"}, std::string());
  REQUIRE(empty);
  CHECK(empty->front() == "ssh");
}

TEST_CASE("ssh_argv refuses an empty host and one that ssh would read as an option") {
  CHECK_FALSE(ssh_argv(RemoteTarget{""}, std::nullopt));
  auto dash = ssh_argv(RemoteTarget{"-oProxyCommand=touch /tmp/x"}, std::nullopt);
  REQUIRE_FALSE(dash);
  CHECK(dash.error().message.find("cannot start with '-'") != std::string::npos);
}

TEST_CASE("shell_quote leaves plain words and quotes the rest, single quotes included") {
  CHECK(shell_quote("/usr/bin/traioctl") == "/usr/bin/traioctl");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$(reboot)") == "'$(reboot)'");
}
