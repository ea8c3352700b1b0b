// FileWaits on real directories: paths created later (in directories created later, renamed
// into place), shared watches, directories deleted or moved away, queue overflow, and the
// polling fallback.
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "daemon/runners/file_waits.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test::TempDir;

namespace {

void touch(const std::string& path) { std::ofstream(path).put('x'); }

struct Fixture {
  boost::asio::io_context io;
  TempDir dir;
  std::vector<NodeId> seen;
  FileWaits waits{io, [this](NodeId id) { seen.push_back(id); }};

  bool done(NodeId id) const { return std::find(seen.begin(), seen.end(), id) != seen.end(); }
  bool wait_done(NodeId id) { return test::run_until(io, [&] { return done(id); }, 5s); }
  // Runs every handler that is due, then whatever becomes due within 50 ms.
  void turn() {
    io.restart();
    while (io.poll() > 0) {
    }
    io.run_for(50ms);
  }
};

}  // namespace

TEST_CASE("file waits: an existing path completes on the loop, not inside start()") {
  Fixture f;
  touch(f.dir.file("here"));
  f.waits.start(1, f.dir.file("here"));
  CHECK(f.seen.empty());
  REQUIRE(f.wait_done(1));
  CHECK(f.waits.running() == 0);
  CHECK(f.waits.watches() == 0);
}

TEST_CASE("file waits: a file created later completes the wait") {
  Fixture f;
  f.waits.start(1, f.dir.file("later"));
  f.turn();
  CHECK_FALSE(f.done(1));
  CHECK(f.waits.watches() == 1);
  CHECK(f.waits.last_error(1) == f.dir.file("later") + " does not exist");
  touch(f.dir.file("later"));
  REQUIRE(f.wait_done(1));
  CHECK(f.waits.watches() == 0);
}

TEST_CASE("file waits: the watch moves down as directories appear one by one") {
  Fixture f;
  const std::string target = f.dir.file("a/b/c/file");
  f.waits.start(1, target);
  f.turn();
  for (const char* sub : {"a", "a/b", "a/b/c"}) {
    fs::create_directory(f.dir.file(sub));
    f.turn();
    CHECK_FALSE(f.done(1));
    CHECK(f.waits.watches() == 1);
  }
  touch(target);
  REQUIRE(f.wait_done(1));
}

TEST_CASE("file waits: a path whose directories are all made at once is seen") {
  Fixture f;
  const std::string target = f.dir.file("x/y/z/file");
  f.waits.start(1, target);
  f.turn();
  fs::create_directories(f.dir.file("x/y/z"));
  touch(target);  // before the loop sees the first event: the check after each watch finds it
  REQUIRE(f.wait_done(1));
}

TEST_CASE("file waits: a file renamed into place completes the wait") {
  Fixture f;
  f.waits.start(1, f.dir.file("final"));
  f.turn();
  touch(f.dir.file(".final.tmp"));
  f.turn();
  CHECK_FALSE(f.done(1));
  fs::rename(f.dir.file(".final.tmp"), f.dir.file("final"));
  REQUIRE(f.wait_done(1));
}

TEST_CASE("file waits: a directory renamed into place with the file inside completes the wait") {
  Fixture f;
  f.waits.start(1, f.dir.file("release/ready"));
  f.turn();
  fs::create_directory(f.dir.file("staging"));
  touch(f.dir.file("staging/ready"));
  f.turn();
  CHECK_FALSE(f.done(1));
  fs::rename(f.dir.file("staging"), f.dir.file("release"));
  REQUIRE(f.wait_done(1));
}

TEST_CASE("file waits: waits on one directory share its watch, removed when the last one ends") {
  Fixture f;
  f.waits.start(1, f.dir.file("one"));
  f.waits.start(2, f.dir.file("two"));
  f.waits.start(3, f.dir.file("sub/three"));
  f.turn();
  CHECK(f.waits.watches() == 1);
  touch(f.dir.file("one"));
  REQUIRE(f.wait_done(1));
  CHECK_FALSE(f.done(2));  // an event wakes only the waits it concerns
  CHECK(f.waits.watches() == 1);
  CHECK(f.waits.cancel(2));
  CHECK(f.waits.watches() == 1);
  CHECK(f.waits.cancel(3));
  CHECK(f.waits.watches() == 0);
  CHECK(f.waits.running() == 0);
}

TEST_CASE("file waits: cancel ends a wait without a callback") {
  Fixture f;
  f.waits.start(1, f.dir.file("never"));
  f.turn();
  CHECK(f.waits.cancel(1));
  CHECK_FALSE(f.waits.cancel(1));
  touch(f.dir.file("never"));
  f.turn();
  CHECK(f.seen.empty());
}

TEST_CASE("file waits: a watched directory deleted: the wait climbs back and sees it made again") {
  Fixture f;
  fs::create_directory(f.dir.file("d"));
  f.waits.start(1, f.dir.file("d/file"));
  f.turn();
  fs::remove(f.dir.file("d"));  // IN_IGNORED for the watch on d
  f.turn();
  CHECK_FALSE(f.done(1));
  CHECK(f.waits.watches() == 1);  // on the temp dir now
  fs::create_directory(f.dir.file("d"));
  f.turn();
  touch(f.dir.file("d/file"));
  REQUIRE(f.wait_done(1));
}

TEST_CASE("file waits: a watched directory moved away no longer counts -- its replacement does") {
  Fixture f;
  fs::create_directory(f.dir.file("d"));
  f.waits.start(1, f.dir.file("d/file"));
  f.turn();
  fs::rename(f.dir.file("d"), f.dir.file("old"));  // IN_MOVE_SELF: the watch would follow it
  f.turn();
  touch(f.dir.file("old/file"));
  f.turn();
  CHECK_FALSE(f.done(1));
  fs::create_directory(f.dir.file("d"));
  touch(f.dir.file("d/file"));
  REQUIRE(f.wait_done(1));
}

TEST_CASE("file waits: after an inotify queue overflow every wait is checked again") {
  Fixture f;
  f.waits.start(1, f.dir.file("target"));
  f.turn();
  long limit = std::stol(test::read_file("/proc/sys/fs/inotify/max_queued_events"));
  REQUIRE(limit < 1000000);
  // More events than the queue holds while the loop does not read: renames are cheaper
  // than creating files, and each one queues an IN_MOVED_TO.
  touch(f.dir.file("a"));
  for (long i = 0; i <= limit / 2; ++i) {
    fs::rename(f.dir.file("a"), f.dir.file("b"));
    fs::rename(f.dir.file("b"), f.dir.file("a"));
  }
  touch(f.dir.file("target"));  // its event is lost in the overflow
  REQUIRE(f.wait_done(1));
}

TEST_CASE("file waits: without inotify (no fd left) a wait checks its path every second") {
#if defined(__SANITIZE_ADDRESS__)
  // UBSan's checks open descriptors of their own: with RLIMIT_NOFILE at 3 they fail and
  // report a bad vptr that is not there. The plain build runs this test.
  MESSAGE("skipped under the sanitizers: their runtime needs free file descriptors");
  return;
#endif
  Fixture f;
  // Asio makes its epoll and timer fds on first use: before the limit, as in the daemon.
  boost::asio::steady_timer warm_up(f.io, 1ms);
  warm_up.wait();
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  {
    struct Restore {
      rlimit limit;
      ~Restore() { ::setrlimit(RLIMIT_NOFILE, &limit); }
    } restore{saved};
    rlimit low = saved;
    low.rlim_cur = 3;  // every fd number above 2 is taken: inotify_init1 gets EMFILE
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    f.waits.start(1, f.dir.file("polled"));
    f.turn();
  }
  CHECK(f.waits.last_error(1).find("checking every second") != std::string::npos);
  CHECK(f.waits.last_error(1).find("Too many open files") != std::string::npos);
  touch(f.dir.file("polled"));
  REQUIRE(f.wait_done(1));
}

TEST_CASE("file waits: 10,000 waits under one missing directory share a watch and all complete") {
  Fixture f;
  const int count = 10000;
  const std::string base = f.dir.file("spool");
  for (int i = 0; i < count; ++i) f.waits.start(static_cast<NodeId>(i + 1), base + "/job-" + std::to_string(i));
  f.turn();
  CHECK(f.waits.running() == static_cast<std::size_t>(count));
  CHECK(f.waits.watches() == 1);
  fs::create_directory(base);
  // Every wait moves its watch down into the new directory: one watch again, on it.
  f.turn();
  CHECK(f.seen.empty());
  CHECK(f.waits.watches() == 1);
  for (int i = 0; i < count; ++i) touch(base + "/job-" + std::to_string(i));
  auto begin = std::chrono::steady_clock::now();
  REQUIRE(test::run_until(f.io, [&] { return f.seen.size() == static_cast<std::size_t>(count); }, 10s));
  MESSAGE("10,000 file waits completed " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - begin).count()
                                         << " ms after their files were made");
  CHECK(std::chrono::steady_clock::now() - begin < 5s);
  CHECK(f.waits.watches() == 0);
}
