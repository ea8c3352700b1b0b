// The clean base environment and the variables a child must never see.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>

#include "daemon/os/environment.hpp"

using namespace traio::os;

TEST_CASE("environment: the clean base has PATH, LANG, HOME, USER and LOGNAME") {
  auto user = current_user();
  REQUIRE(user.has_value());
  CHECK_FALSE(user->name.empty());
  ::setenv("LANG", "de_DE.UTF-8", 1);
  auto env = clean_base_environment(*user);
  CHECK(env.at("PATH") == kCleanPath);
  CHECK(env.at("LANG") == "de_DE.UTF-8");
  CHECK(env.at("HOME") == user->home);
  CHECK(env.at("USER") == user->name);
  CHECK(env.at("LOGNAME") == user->name);
  CHECK(env.size() == 5);
  ::unsetenv("LANG");
  CHECK(clean_base_environment(*user).at("LANG") == "C.UTF-8");
}

TEST_CASE("environment: systemd's variables are stripped") {
  EnvMap env{{"NOTIFY_SOCKET", "/run/x"}, {"LISTEN_PID", "1"}, {"LISTEN_FDS", "2"},
             {"LISTEN_FDNAMES", "a"}, {"WATCHDOG_USEC", "5"}, {"WATCHDOG_PID", "1"}, {"KEEP", "1"}};
  strip_daemon_variables(env);
  CHECK(env == EnvMap{{"KEEP", "1"}});
  CHECK(to_envp(env) == std::vector<std::string>{"KEEP=1"});
}

TEST_CASE("environment: another user's HOME, USER and LOGNAME replace the caller's") {
  EnvMap env{{"HOME", "/root"}, {"USER", "root"}, {"LOGNAME", "root"}, {"KEEP", "1"}};
  set_user_variables(env, UserInfo{"nobody", "/nonexistent"});
  CHECK(env == EnvMap{{"HOME", "/nonexistent"}, {"USER", "nobody"}, {"LOGNAME", "nobody"}, {"KEEP", "1"}});
  set_user_variables(env, UserInfo{});  // a user without a name or home: none of them
  CHECK(env == EnvMap{{"KEEP", "1"}});
}
