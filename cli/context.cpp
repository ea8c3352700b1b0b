#include "cli/context.hpp"

#include <cstdlib>

#include "cli/output.hpp"
#include "cli/socket_path.hpp"
#include "common/node_path.hpp"

namespace traio::cli {

std::string Context::resolve(std::string_view path) const {
  return resolve_path(default_scope, path);
}

std::string Context::socket_path() const {
  return find_socket(socket_lookup_from_env(global.socket));
}

std::unique_ptr<Connection> Context::connect() const {
  auto conn = std::make_unique<Connection>();
  const std::string path = socket_path();
  if (auto st = conn->client.connect(path); !st) {
    fail(ExitCode::Unreachable, "cannot reach traiod at " + path + ": " + st.error().message);
    return nullptr;
  }
  return conn;
}

std::string default_scope_from_env() {
  const char* scope = std::getenv("TRAIO_SCOPE");
  if (scope == nullptr || *scope == '\0') return "/";
  // A relative $TRAIO_SCOPE makes no sense; read it from the root.
  return resolve_path("/", scope);
}

}  // namespace traio::cli
