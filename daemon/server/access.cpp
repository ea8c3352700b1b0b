#include "daemon/server/access.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "daemon/os/credentials.hpp"

namespace traio {
namespace {
Error denied(std::string message) { return {ErrorCode::PermissionDenied, std::move(message)}; }

// Whether `user` (a name or number; empty: no choice made) is `uid`. An unknown name is not.
bool names_uid(const std::string& user, uid_t uid) {
  if (user.empty()) return true;
  auto entry = os::lookup_user(user);
  return entry && entry->uid == uid;
}

bool names_gid(const std::string& group, gid_t gid) {
  if (group.empty()) return true;
  auto found = os::lookup_group(group);
  return found && *found == gid;
}

bool in_group(uid_t uid, const std::string& group) {
  auto gid = os::lookup_group(group);
  auto entry = os::lookup_uid(uid);
  if (!gid || !entry) return false;
  auto groups = os::group_list(*entry, entry->gid);
  return groups && std::find(groups->begin(), groups->end(), *gid) != groups->end();
}

std::string describe_user(const std::string& user, const std::string& group) {
  if (group.empty()) return fmt::format("user '{}'", user);
  if (user.empty()) return fmt::format("group '{}'", group);
  return fmt::format("user '{}' and group '{}'", user, group);
}
}  // namespace

bool is_privileged(Uid peer) { return peer == 0 || peer == static_cast<Uid>(::geteuid()); }

Status check_may_act(const Node& node, Uid peer) {
  if (is_privileged(peer) || node.owner_uid == peer) return ok_status();
  return denied(fmt::format("uid {} may not act on {} (owned by uid {})", peer, node.path, node.owner_uid));
}

Status check_may_read(const Node& node, Uid peer) {
  if (is_privileged(peer) || node.owner_uid == peer) return ok_status();
  return denied(fmt::format("uid {} may not read {} (owned by uid {})", peer, node.path, node.owner_uid));
}

Status check_may_create_in(const Node& scope, Uid peer) {
  if (scope.id == kRootId) return ok_status();
  return check_may_act(scope, peer);
}

Status check_may_run_jobs(Uid peer) {
  if (is_privileged(peer) || ::geteuid() == 0) return ok_status();
  return denied(fmt::format("uid {} may not start jobs: traiod runs them as uid {}, and only a root traiod runs "
                            "them as their client",
                            peer, ::geteuid()));
}

Status check_may_run_as(Uid peer, const std::string& user, const std::string& group) {
  if (user.empty() && group.empty()) return ok_status();
  const uid_t self = ::geteuid();
  if (self != 0) {
    if (names_uid(user, self) && names_gid(group, ::getegid())) return ok_status();  // itself: no switch
    return denied(fmt::format("traiod runs as uid {}, not root: it cannot run a job as {}", self,
                              describe_user(user, group)));
  }
  if (peer == 0) return ok_status();
  if (!names_uid(user, peer))
    return denied(fmt::format("uid {} may run jobs only as itself, not as user '{}'", peer, user));
  if (!group.empty() && !in_group(peer, group))
    return denied(fmt::format("uid {} may not run a job as group '{}': it is not a member", peer, group));
  return ok_status();
}

}  // namespace traio
