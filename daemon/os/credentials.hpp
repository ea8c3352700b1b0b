#pragma once
// Who a job runs as (SPEC §2 `user`/`group`): names or numbers looked up in the user and
// group databases (getpwnam_r, getgrnam_r, getgrouplist), read when the job starts, so a
// user that an earlier step of the same tree created is found.
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "daemon/os/environment.hpp"
#include "daemon/os/sys_error.hpp"

namespace traio::os {

// The ids a job's process takes before its exec, in the order it takes them.
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (setgroups)
};

// A user as the passwd database knows it.
struct UserEntry {
  uid_t uid = 0;
  gid_t gid = 0;  // primary group
  UserInfo info;  // name and home, for HOME/USER/LOGNAME
};

// `user` is a name or a decimal uid. A uid without a passwd entry is accepted as it is
// (containers often have none): its primary gid is the same number, its name the number,
// its home "/". Errors: ENOENT for an unknown name, else the lookup's errno.
Result<UserEntry> lookup_user(std::string_view user);
Result<UserEntry> lookup_uid(uid_t uid);

// `group` is a name or a decimal gid (a gid without an entry is accepted as it is).
// ENOENT for an unknown name.
Result<gid_t> lookup_group(std::string_view group);

// The groups `user` belongs to (getgrouplist), `primary` first. A user without a passwd
// entry (an empty or numeric name) has only `primary`.
Result<std::vector<gid_t>> group_list(const UserEntry& user, gid_t primary);

// The full identity of a job: `user` (empty: `fallback_uid`), `group` (empty: the user's
// primary group), and the user's supplementary groups with `group` added.
struct Identity {
  UserEntry user;
  Credentials ids;
};
enum class IdentityPart { User, Group };
struct IdentityError {
  IdentityPart part = IdentityPart::User;
  boost::system::error_code error;
};
boost::system::result<Identity, IdentityError> resolve_identity(std::string_view user, std::string_view group,
                                                                uid_t fallback_uid);

}  // namespace traio::os
