// os::Inotify on real directories: events with names, shared wds, IN_IGNORED, errors.
#include <doctest/doctest.h>
#include <sys/inotify.h>

#include <filesystem>
#include <fstream>

#include "daemon/os/inotify.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio;
using test::TempDir;

namespace {

constexpr std::uint32_t kMask = IN_CREATE | IN_MOVED_TO;

void touch(const std::string& path) { std::ofstream(path).put('x'); }

}  // namespace

TEST_CASE("inotify: a file created in a watched directory is read back with its wd and name") {
  TempDir dir;
  auto inotify = os::Inotify::open();
  REQUIRE(inotify.has_value());
  auto wd = inotify->add_watch(dir.path(), kMask);
  REQUIRE(wd.has_value());
  touch(dir.file("hello"));
  auto events = inotify->read_events();
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 1);
  CHECK(events->front().wd == *wd);
  CHECK((events->front().mask & IN_CREATE) != 0);
  CHECK(events->front().name == "hello");
}

TEST_CASE("inotify: reading an empty queue returns no events at once (non-blocking)") {
  TempDir dir;
  auto inotify = os::Inotify::open();
  REQUIRE(inotify.has_value());
  REQUIRE(inotify->add_watch(dir.path(), kMask).has_value());
  auto events = inotify->read_events();
  REQUIRE(events.has_value());
  CHECK(events->empty());
}

TEST_CASE("inotify: watching the same directory twice gives the same wd") {
  TempDir dir;
  auto inotify = os::Inotify::open();
  REQUIRE(inotify.has_value());
  auto first = inotify->add_watch(dir.path(), kMask);
  auto second = inotify->add_watch(dir.path() + "/.", kMask);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(*first == *second);
}

TEST_CASE("inotify: a removed watch is followed by IN_IGNORED -- removing it again is harmless") {
  TempDir dir;
  auto inotify = os::Inotify::open();
  REQUIRE(inotify.has_value());
  auto wd = inotify->add_watch(dir.path(), kMask);
  REQUIRE(wd.has_value());
  REQUIRE(inotify->remove_watch(*wd).has_value());
  CHECK(inotify->remove_watch(*wd).has_value());  // EINVAL: gone already
  auto events = inotify->read_events();
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 1);
  CHECK((events->front().mask & IN_IGNORED) != 0);
  CHECK(events->front().name.empty());
}

TEST_CASE("inotify: a missing directory is ENOENT, a file with IN_ONLYDIR is ENOTDIR") {
  TempDir dir;
  touch(dir.file("plain"));
  auto inotify = os::Inotify::open();
  REQUIRE(inotify.has_value());
  auto missing = inotify->add_watch(dir.file("missing"), kMask);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error() == boost::system::errc::no_such_file_or_directory);
  auto file = inotify->add_watch(dir.file("plain"), kMask | IN_ONLYDIR);
  REQUIRE_FALSE(file.has_value());
  CHECK(file.error() == boost::system::errc::not_a_directory);
}

TEST_CASE("inotify: many events come back over several reads, none lost") {
  TempDir dir;
  auto inotify = os::Inotify::open();
  REQUIRE(inotify.has_value());
  REQUIRE(inotify->add_watch(dir.path(), kMask).has_value());
  const int count = 400;  // with 200-byte names, more than one 64 KiB read holds
  const std::string long_name(200, 'n');
  for (int i = 0; i < count; ++i) touch(dir.file(long_name + std::to_string(i)));
  int seen = 0;
  int reads = 0;
  for (;;) {
    auto events = inotify->read_events();
    REQUIRE(events.has_value());
    if (events->empty()) break;
    ++reads;
    seen += static_cast<int>(events->size());
  }
  CHECK(seen == count);
  CHECK(reads > 1);
}
