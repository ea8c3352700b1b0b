#include "daemon/os/environment.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace traio::os {

Result<UserInfo> current_user() noexcept {
  try {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    int rc = ::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != 0) return errno_code(rc);
    if (found == nullptr) return errno_code(ENOENT);  // a uid without a passwd entry
    return UserInfo{found->pw_name, found->pw_dir};
  } catch (const std::bad_alloc&) {
    return errno_code(ENOMEM);
  }
}

EnvMap clean_base_environment(const UserInfo& user) {
  EnvMap env;
  env["PATH"] = kCleanPath;
  const char* lang = std::getenv("LANG");
  env["LANG"] = (lang != nullptr && *lang != '\0') ? lang : "C.UTF-8";
  set_user_variables(env, user);
  return env;
}

void set_user_variables(EnvMap& env, const UserInfo& user) {
  env.erase("HOME");
  env.erase("USER");
  env.erase("LOGNAME");
  if (!user.home.empty()) env["HOME"] = user.home;
  if (!user.name.empty()) {
    env["USER"] = user.name;
    env["LOGNAME"] = user.name;  // what login(1) and su set beside USER
  }
}

void strip_daemon_variables(EnvMap& env) {
  for (const char* name :
       {"NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID"})
    env.erase(name);
}

std::vector<std::string> to_envp(const EnvMap& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [key, value] : env) out.push_back(key + "=" + value);
  return out;
}

}  // namespace traio::os
