#pragma once
// The environment a job starts with (SPEC §2, rule 12): a clean base, the job's own
// variables on top, then traio's; never the daemon's systemd variables.
#include <map>
#include <string>
#include <vector>

#include "daemon/os/sys_error.hpp"

namespace traio::os {

using EnvMap = std::map<std::string, std::string>;

inline constexpr const char* kCleanPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct UserInfo {
  std::string name;
  std::string home;
};

// The daemon's own user (getpwuid_r of the real uid).
Result<UserInfo> current_user() noexcept;

// PATH, LANG (the daemon's, else C.UTF-8), HOME, USER and LOGNAME of `user`.
EnvMap clean_base_environment(const UserInfo& user);

// HOME, USER and LOGNAME of `user` (those of a name it has not are removed).
void set_user_variables(EnvMap& env, const UserInfo& user);

// Variables that speak to the daemon, not to its children (DESIGN: a child that sees
// NOTIFY_SOCKET or LISTEN_FDS would talk to systemd in the daemon's name).
void strip_daemon_variables(EnvMap& env);

// "KEY=value" strings, as execve wants them.
std::vector<std::string> to_envp(const EnvMap& env);

}  // namespace traio::os
