#include "daemon/server/access.hpp"

#include <unistd.h>

#include <fmt/format.h>

namespace traio {
namespace {
Error denied(std::string message) { return {ErrorCode::PermissionDenied, std::move(message)}; }
}  // namespace

bool is_privileged(Uid peer) { return peer == 0 || peer == static_cast<Uid>(::geteuid()); }

Status check_may_act(const Node& node, Uid peer) {
  if (is_privileged(peer) || node.owner_uid == peer) return ok_status();
  return denied(fmt::format("uid {} may not act on {} (owned by uid {})", peer, node.path, node.owner_uid));
}

Status check_may_create_in(const Node& scope, Uid peer) {
  if (scope.id == kRootId) return ok_status();
  return check_may_act(scope, peer);
}

Status check_may_run_jobs(Uid peer) {
  if (is_privileged(peer)) return ok_status();
  return denied(fmt::format("uid {} may not start jobs: traiod runs them as uid {} and cannot switch users yet",
                            peer, ::geteuid()));
}

}  // namespace traio
