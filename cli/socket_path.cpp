#include "cli/socket_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace traio::cli {

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

}  // namespace

std::string find_socket(const SocketLookup& lookup) {
  if (lookup.flag) return *lookup.flag;
  if (lookup.traio_socket) return *lookup.traio_socket;
  if (lookup.uid == 0) return kSystemSocket;
  const std::string user_socket =
      lookup.xdg_runtime_dir ? *lookup.xdg_runtime_dir + "/traio.sock"
                             : "/tmp/traio-" + std::to_string(lookup.uid) + "/traio.sock";
  // A user without a daemon of their own may use the system one; when neither exists the
  // user's path is the one the error message should name.
  if (lookup.exists && !lookup.exists(user_socket) && lookup.exists(kSystemSocket))
    return kSystemSocket;
  return user_socket;
}

SocketLookup socket_lookup_from_env(std::optional<std::string> flag) {
  SocketLookup lookup;
  lookup.flag = std::move(flag);
  lookup.traio_socket = env("TRAIO_SOCKET");
  lookup.xdg_runtime_dir = env("XDG_RUNTIME_DIR");
  lookup.uid = ::getuid();
  lookup.exists = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  };
  return lookup;
}

}  // namespace traio::cli
