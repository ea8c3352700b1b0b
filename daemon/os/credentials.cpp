#include "daemon/os/credentials.hpp"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <charconv>
#include <optional>

namespace traio::os {

namespace {

constexpr std::size_t kFirstBuffer = 4096;
constexpr std::size_t kMaxBuffer = 1 << 24;  // a group with that many members is a broken database

// All digits: a number, not a name (as systemd and chown read "1000").
template <class Id>
std::optional<Id> parse_id(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  // (Id)-1 means "no change" to setresuid/setresgid: never an id a job may take.
  if (ec != std::errc() || end != text.data() + text.size() || value >= static_cast<unsigned long>(Id(-1)))
    return std::nullopt;
  return static_cast<Id>(value);
}

enum class Found { Yes, No };

// Runs a *_r lookup with a growing buffer: ERANGE asks for a bigger one. `lookup(buffer, hit)`
// returns the errno-style code and sets `hit` when it found an entry.
template <class Lookup>
Result<Found> with_buffer(Lookup lookup) {
  try {
    std::vector<char> buffer(kFirstBuffer);
    for (;;) {
      bool found = false;
      int rc = lookup(buffer, found);
      if (rc == 0) return found ? Found::Yes : Found::No;
      // Not found is reported as 0 with no entry, or as one of these by some NSS modules.
      if (rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) return Found::No;
      if (rc != ERANGE || buffer.size() >= kMaxBuffer) return errno_code(rc);
      buffer.resize(buffer.size() * 2);
    }
  } catch (const std::bad_alloc&) {
    return errno_code(ENOMEM);
  }
}

UserEntry entry_of(const passwd& pw) {
  return UserEntry{pw.pw_uid, pw.pw_gid, UserInfo{pw.pw_name, pw.pw_dir}};
}

// A uid the passwd database does not know: used as it is.
UserEntry bare_uid(uid_t uid) {
  return UserEntry{uid, static_cast<gid_t>(uid), UserInfo{std::to_string(uid), "/"}};
}

}  // namespace

Result<UserEntry> lookup_uid(uid_t uid) {
  UserEntry entry;
  auto found = with_buffer([&](std::vector<char>& buffer, bool& hit) {
    passwd pw{};
    passwd* result = nullptr;
    int rc = ::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &result);
    if (rc == 0 && result != nullptr) {
      entry = entry_of(*result);
      hit = true;
    }
    return rc;
  });
  if (!found) return found.error();
  return *found == Found::Yes ? entry : bare_uid(uid);
}

Result<UserEntry> lookup_user(std::string_view user) {
  if (auto uid = parse_id<uid_t>(user)) return lookup_uid(*uid);
  const std::string name(user);
  UserEntry entry;
  auto found = with_buffer([&](std::vector<char>& buffer, bool& hit) {
    passwd pw{};
    passwd* result = nullptr;
    int rc = ::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &result);
    if (rc == 0 && result != nullptr) {
      entry = entry_of(*result);
      hit = true;
    }
    return rc;
  });
  if (!found) return found.error();
  if (*found == Found::No) return errno_code(ENOENT);
  return entry;
}

Result<gid_t> lookup_group(std::string_view group) {
  if (auto gid = parse_id<gid_t>(group)) return *gid;
  const std::string name(group);
  gid_t gid = 0;
  auto found = with_buffer([&](std::vector<char>& buffer, bool& hit) {
    struct group gr{};
    struct group* result = nullptr;
    int rc = ::getgrnam_r(name.c_str(), &gr, buffer.data(), buffer.size(), &result);
    if (rc == 0 && result != nullptr) {
      gid = result->gr_gid;
      hit = true;
    }
    return rc;
  });
  if (!found) return found.error();
  if (*found == Found::No) return errno_code(ENOENT);
  return gid;
}

Result<std::vector<gid_t>> group_list(const UserEntry& user, gid_t primary) {
  if (user.info.name.empty() || parse_id<uid_t>(user.info.name)) return std::vector<gid_t>{primary};
  try {
    std::vector<gid_t> groups(32);
    for (;;) {
      int count = static_cast<int>(groups.size());
      // -1 when the list is longer than `count`, which it then holds the length of.
      if (::getgrouplist(user.info.name.c_str(), primary, groups.data(), &count) >= 0) {
        groups.resize(static_cast<std::size_t>(count));
        return groups;
      }
      if (static_cast<std::size_t>(count) <= groups.size()) groups.resize(groups.size() * 2);
      else groups.resize(static_cast<std::size_t>(count));
      if (groups.size() > 65536) return errno_code(E2BIG);  // beyond NGROUPS_MAX
    }
  } catch (const std::bad_alloc&) {
    return errno_code(ENOMEM);
  }
}

boost::system::result<Identity, IdentityError> resolve_identity(std::string_view user, std::string_view group,
                                                                uid_t fallback_uid) {
  auto entry = user.empty() ? lookup_uid(fallback_uid) : lookup_user(user);
  if (!entry) return IdentityError{IdentityPart::User, entry.error()};
  gid_t gid = entry->gid;
  if (!group.empty()) {
    auto named = lookup_group(group);
    if (!named) return IdentityError{IdentityPart::Group, named.error()};
    gid = *named;
  }
  // getgrouplist puts `gid` first: a named group is among the job's groups, as with sg(1).
  auto groups = group_list(*entry, gid);
  if (!groups) return IdentityError{IdentityPart::User, groups.error()};
  return Identity{*entry, Credentials{entry->uid, gid, std::move(*groups)}};
}

}  // namespace traio::os
