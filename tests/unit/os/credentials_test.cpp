// Looking up who a job runs as (SPEC §2 user/group): names, numbers, unknown names, groups.
#include <doctest/doctest.h>

#include <algorithm>

#include "daemon/os/credentials.hpp"

using namespace traio::os;

namespace {

constexpr uid_t kNobody = 65534;

bool has_nobody() {
  auto nobody = lookup_user("nobody");
  return nobody && nobody->uid == kNobody;
}

bool contains(const std::vector<gid_t>& groups, gid_t gid) {
  return std::find(groups.begin(), groups.end(), gid) != groups.end();
}

}  // namespace

TEST_CASE("credentials: a user by name and by number has its uid, primary group, name and home") {
  auto by_name = lookup_user("root");
  REQUIRE(by_name.has_value());
  CHECK(by_name->uid == 0);
  CHECK(by_name->gid == 0);
  CHECK(by_name->info.name == "root");
  CHECK(by_name->info.home == "/root");
  auto by_number = lookup_user("0");
  REQUIRE(by_number.has_value());
  CHECK(by_number->info.name == "root");
  CHECK(lookup_uid(0)->info.name == "root");
}

TEST_CASE("credentials: an unknown user or group name is ENOENT") {
  auto user = lookup_user("traio-no-such-user");
  REQUIRE_FALSE(user.has_value());
  CHECK(user.error() == boost::system::errc::no_such_file_or_directory);
  auto group = lookup_group("traio-no-such-group");
  REQUIRE_FALSE(group.has_value());
  CHECK(group.error() == boost::system::errc::no_such_file_or_directory);
}

TEST_CASE("credentials: a uid without a passwd entry is taken as it is, its gid the same number") {
  auto bare = lookup_user("3999999");
  REQUIRE(bare.has_value());
  CHECK(bare->uid == 3999999);
  CHECK(bare->gid == 3999999);
  CHECK(bare->info.name == "3999999");
  CHECK(bare->info.home == "/");
  auto groups = group_list(*bare, bare->gid);
  REQUIRE(groups.has_value());
  CHECK(*groups == std::vector<gid_t>{3999999});
  // (uid_t)-1 means "unchanged" to setresuid: never an id.
  CHECK_FALSE(lookup_user("4294967295").has_value());
}

TEST_CASE("credentials: a group by name or number") {
  CHECK(lookup_group("root").value() == 0);
  CHECK(lookup_group("4242").value() == 4242);
}

TEST_CASE("credentials: a job's identity is its user, its primary group, and its groups") {
  if (!has_nobody()) {
    MESSAGE("skipped: no user nobody with uid 65534 here");
    return;
  }
  auto nobody = resolve_identity("nobody", "", 0);
  REQUIRE(nobody.has_value());
  CHECK(nobody->ids.uid == kNobody);
  CHECK(nobody->ids.gid == nobody->user.gid);
  CHECK(contains(nobody->ids.groups, nobody->user.gid));
  CHECK(nobody->user.info.name == "nobody");

  // A named group replaces the primary one and is among the groups.
  auto with_group = resolve_identity("nobody", "root", 0);
  REQUIRE(with_group.has_value());
  CHECK(with_group->ids.gid == 0);
  CHECK(contains(with_group->ids.groups, 0));

  // No user: the fallback uid (the client's, or the daemon's).
  auto fallback = resolve_identity("", "", kNobody);
  REQUIRE(fallback.has_value());
  CHECK(fallback->ids.uid == kNobody);
  CHECK(fallback->user.info.name == "nobody");
}

TEST_CASE("credentials: a failed identity says whether the user or the group is unknown") {
  auto user = resolve_identity("traio-no-such-user", "root", 0);
  REQUIRE_FALSE(user.has_value());
  CHECK(user.error().part == IdentityPart::User);
  CHECK(user.error().error == boost::system::errc::no_such_file_or_directory);
  auto group = resolve_identity("root", "traio-no-such-group", 0);
  REQUIRE_FALSE(group.has_value());
  CHECK(group.error().part == IdentityPart::Group);
}
