// Client-side faults against a real traiod (issue 7, item 3): clients that hang up
// mid-request or mid-stream, many clients that close on big replies without reading them
// (SIGPIPE), and a daemon out of file descriptors. After each: the daemon answers, its fd
// count is back to its baseline, and a live job is untouched.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/raw_client.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {

constexpr int kRounds = 50;

// The daemon's fd count once the connections of earlier traioctl calls are closed: the
// smallest of a few samples.
int quiet_fd_count(pid_t pid) {
  int least = open_fd_count(pid);
  for (int i = 0; i < 5; ++i) {
    ::usleep(100'000);
    least = std::min(least, open_fd_count(pid));
  }
  return least;
}

// A job that must live through every fault of a test.
struct LiveJob {
  std::string path;
  pid_t pid = -1;
};

LiveJob start_live_job(const Daemon& d) {
  LiveJob job;
  job.path = d.ok({"spawn", "--name", "live", "--", "sleep", "300"});
  auto node = d.inspect_until(job.path, is_running);
  REQUIRE(node["state"] == "running");
  job.pid = node["pid"].get<pid_t>();
  return job;
}

// What every fault test ends with: the daemon answers a new client, holds no more fds than
// before, and the live job still runs as the same process.
void check_daemon_unharmed(const Daemon& d, const LiveJob& job, int baseline_fds) {
  const pid_t traiod = d.traiod_pid();
  REQUIRE_MESSAGE(process_exists(traiod), "traiod died:\n", d.log());
  RawClient probe(d.socket());
  REQUIRE(probe.connected());
  auto pong = probe.call(1, "ping");
  CHECK_MESSAGE(reply_ok(pong), "no pong after the faults:\n", d.log());
  probe.close();
  const int fds = fd_count_settled(traiod, baseline_fds, 10s);
  CHECK_MESSAGE(fds <= baseline_fds, "traiod holds ", fds, " fds, ", baseline_fds, " before the faults");
  auto node = d.inspect(job.path);
  CHECK(node["state"] == "running");
  CHECK(node["pid"] == job.pid);
  CHECK(process_exists(job.pid));
}

}  // namespace

TEST_CASE("faults: a client that sends half a line and closes, 50 times -- the daemon serves on and leaks no fd") {
  Daemon d;
  const LiveJob job = start_live_job(d);
  const int baseline = quiet_fd_count(d.traiod_pid());
  for (int i = 0; i < kRounds; ++i) {
    RawClient c(d.socket());
    REQUIRE(c.connected());
    REQUIRE(c.send_raw(R"({"v":1,"id":1,"op":"spawn","args":{"job":{"argv":["sleep",)"));
  }
  check_daemon_unharmed(d, job, baseline);
  CHECK(d.ok({"ps"}).find("job-") == std::string::npos);  // the half requests spawned nothing
}

TEST_CASE("faults: a client that sends a full request and closes before the reply, 50 times -- the daemon serves on and leaks no fd") {
  Daemon d;
  const LiveJob job = start_live_job(d);
  const int baseline = quiet_fd_count(d.traiod_pid());
  const std::vector<std::pair<std::string, json>> requests = {
      {"ping", json::object()},
      {"ps", {{"all", true}}},
      {"inspect", {{"path", job.path}}},
      {"spawn", {{"job", {{"kind", "sleep"}, {"duration", "10ms"}}}}},
      {"events", json::object()},
      {"logs", {{"path", job.path}}},
  };
  for (int i = 0; i < kRounds; ++i) {
    const auto& [op, args] = requests[static_cast<std::size_t>(i) % requests.size()];
    RawClient c(d.socket());
    REQUIRE(c.connected());
    REQUIRE(c.send(i, op, args));
  }
  check_daemon_unharmed(d, job, baseline);
}

TEST_CASE("faults: a client that closes while following events, 50 times -- the daemon serves on and leaks no fd") {
  Daemon d;
  const LiveJob job = start_live_job(d);
  const int baseline = quiet_fd_count(d.traiod_pid());
  for (int i = 0; i < kRounds; ++i) {
    RawClient c(d.socket());
    REQUIRE(c.send(1, "events", {{"follow", true}}));
    auto first = c.read_json();  // the ring's recent events come at once: the stream is on
    REQUIRE(first.has_value());
    CHECK(first->contains("event"));
  }
  check_daemon_unharmed(d, job, baseline);
  // Events still reach a follower that stays.
  RawClient follower(d.socket());
  REQUIRE(follower.send(1, "events", {{"follow", true}}));
  d.ok({"spawn", "--name", "marker", "--", "true"});
  bool seen = false;
  while (!seen) {
    auto line = follower.read_line(10s);
    REQUIRE_MESSAGE(line.has_value(), "the event of /marker never came");
    seen = line->find("/marker") != std::string::npos;
  }
}

TEST_CASE("faults: a client that closes while following a job's log, 50 times -- the daemon serves on and leaks no fd") {
  Daemon d;
  const LiveJob job = start_live_job(d);
  d.ok({"spawn", "--name", "talker", "--", "sh", "-c", "while :; do echo tick; sleep 0.05; done"});
  REQUIRE(is_running(d.inspect_until("/talker", is_running)));
  const int baseline = quiet_fd_count(d.traiod_pid());
  for (int i = 0; i < kRounds; ++i) {
    RawClient c(d.socket());
    REQUIRE(c.send(1, "logs", {{"path", "/talker"}, {"follow", true}, {"lines", 1}}));
    auto first = c.read_line(10s);  // a log line: the follow is on
    REQUIRE(first.has_value());
    CHECK(first->find("tick") != std::string::npos);
  }
  check_daemon_unharmed(d, job, baseline);
  CHECK(d.inspect("/talker")["state"] == "running");
  d.ok({"cancel", "/talker"});
}

TEST_CASE("faults: a client that closes while its wait blocks, 50 times -- the daemon serves on, leaks no fd, the job is unclaimed") {
  Daemon d;
  const LiveJob job = start_live_job(d);
  const int baseline = quiet_fd_count(d.traiod_pid());
  for (int i = 0; i < kRounds; ++i) {
    RawClient c(d.socket());
    REQUIRE(c.send(1, "wait", {{"paths", {job.path}}}));
    // Requests are read in order: once the ping is answered, the wait is blocked in the daemon.
    auto pong = c.call(2, "ping");
    REQUIRE(reply_ok(pong));
  }
  check_daemon_unharmed(d, job, baseline);
  // The waits went with their clients: the job ends as a plain job, and a new wait sees it.
  auto waiter = d.ctl_async({"wait", job.path});
  d.ok({"cancel", job.path});
  CHECK(waiter->finish(10s).code == 4);  // cancelled
}

TEST_CASE("faults: many clients close at once on big ps replies they never read -- traiod survives SIGPIPE and answers") {
  Daemon d;
  const LiveJob job = start_live_job(d);
  // 2000 sleep jobs: a full ps reply of several hundred KB, far more than a socket buffer.
  json children = json::array();
  for (int i = 0; i < 2000; ++i)
    children.push_back({{"name", "s" + std::to_string(i)}, {"kind", "sleep"}, {"duration", "1h"}});
  Millis one_ps{0};
  {
    RawClient submitter(d.socket());
    auto submitted = submitter.call(1, "submit", {{"tree", {{"name", "big"}, {"children", children}}}}, 30s);
    REQUIRE_MESSAGE(reply_ok(submitted), submitted.value_or(json()).dump());
    const auto start = Clock::now();
    auto ps = submitter.call(2, "ps", {{"all", true}}, 30s);
    one_ps = std::chrono::duration_cast<Millis>(Clock::now() - start);
    REQUIRE(reply_ok(ps));
    REQUIRE(ps->dump().size() > 500'000);
  }
  const int baseline = quiet_fd_count(d.traiod_pid());
  constexpr int kClients = 40;
  for (int round = 0; round < 2; ++round) {
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kClients / 2; ++i) {
      clients.push_back(std::make_unique<RawClient>(d.socket()));
      REQUIRE(clients.back()->connected());
      REQUIRE(clients.back()->send(i, "ps", {{"all", true}}));
    }
    ::usleep(100'000);  // let the daemon start writing: the writes then meet closed peers
    clients.clear();
  }
  // The requests were read while their clients were there: each reply is built in full
  // before its write meets the closed peer. Give the daemon that time.
  const Millis backlog = std::clamp<Millis>(one_ps * kClients * 3, 30s, 90s);
  MESSAGE("one ps of 2000 nodes took ", one_ps.count(), " ms, waiting up to ", backlog.count(), " ms");
  RawClient prober(d.socket());
  REQUIRE(prober.connected());
  auto pong = prober.call(1, "ping", json::object(), backlog);
  REQUIRE_MESSAGE(process_exists(d.traiod_pid()), "traiod died:\n", d.log());
  REQUIRE_MESSAGE(reply_ok(pong), "no answer after the clients left:\n", d.log());
  prober.close();
  check_daemon_unharmed(d, job, baseline);
  RawClient reader(d.socket());
  auto ps = reader.call(1, "ps", {{"all", true}}, 30s);
  REQUIRE(reply_ok(ps));
  CHECK((*ps)["result"].dump().find("\"/big/s1999\"") != std::string::npos);
}

TEST_CASE("faults: out of file descriptors -- accept does not spin, a spawn fails with the reason, and both recover once clients leave") {
  Daemon d;
  const pid_t traiod = d.traiod_pid();
  const LiveJob job = start_live_job(d);
  // An admitted client from before the exhaustion: the only way to talk to the daemon then.
  RawClient admitted(d.socket());
  REQUIRE(reply_ok(admitted.call(1, "ping")));
  const int baseline = quiet_fd_count(traiod);
  // The daemon raises its soft limit to the hard one at start; lower both under it.
  const rlimit low{64, 64};
  REQUIRE_MESSAGE(::prlimit(traiod, RLIMIT_NOFILE, &low, nullptr) == 0, "prlimit: ", std::strerror(errno));

  // Connect until one is no longer answered: the daemon cannot accept it.
  std::vector<std::unique_ptr<RawClient>> clients;
  std::unique_ptr<RawClient> pending;
  for (int i = 0; i < 100 && !pending; ++i) {
    auto c = std::make_unique<RawClient>(d.socket());
    REQUIRE(c->connected());  // the kernel queues it even when the daemon cannot accept
    if (reply_ok(c->call(1, "ping", json::object(), 2s))) clients.push_back(std::move(c));
    else pending = std::move(c);
  }
  REQUIRE_MESSAGE(pending, "64 fds were never exhausted: ", open_fd_count(traiod), " open");
  MESSAGE("traiod held ", baseline, " fds at rest and accepted ", clients.size(), " connections under 64");

  // accept keeps failing (EMFILE) while the connection waits: that must not spin.
  const long ticks_before = cpu_ticks(traiod);
  ::usleep(2'000'000);
  const long ticks = cpu_ticks(traiod) - ticks_before;
  const long per_second = ::sysconf(_SC_CLK_TCK);
  CHECK_MESSAGE(ticks < per_second / 2, "traiod used ", ticks, " ticks (", per_second,
                "/s) of CPU in 2 s while it could not accept");

  // A process job needs fds (pipes, pidfd, cgroup): it fails with the reason.
  auto spawned = admitted.call(2, "spawn", {{"job", {{"name", "starved"}, {"argv", {"true"}}}}});
  REQUIRE_MESSAGE(spawned.has_value(), "no reply to spawn while out of fds:\n", d.log());
  if (reply_ok(spawned)) {
    auto waited = admitted.call(3, "wait", {{"paths", {"/starved"}}}, 10s);
    REQUIRE(reply_ok(waited));
    const json node = (*waited)["result"]["nodes"][0];
    CHECK(node["outcome"] == "failed");
    CHECK_MESSAGE(node.dump().find("Too many open files") != std::string::npos, node.dump());
  } else {
    CHECK_MESSAGE(error_message(spawned).find("Too many open files") != std::string::npos, spawned->dump());
  }
  CHECK(reply_ok(admitted.call(4, "ping")));

  // Clients leave: the queued connection is accepted and answered.
  clients.clear();
  auto pong = pending->reply_to(1, 10s);
  CHECK_MESSAGE(reply_ok(pong), "the connection queued while out of fds was never answered:\n", d.log());
  pending.reset();
  admitted.close();
  // And spawns work again, under the same low limit.
  CtlResult ran = d.ctl({"spawn", "--wait", "--name", "fed", "--", "true"}, {}, 20s);
  CHECK_MESSAGE(ran.code == 0, ran.describe());
  check_daemon_unharmed(d, job, baseline);
  // Seconds of failed accepts are one warning, and the recovery is said.
  const std::string log = d.log();
  std::size_t warnings = 0;
  for (auto at = log.find("accept failed"); at != std::string::npos; at = log.find("accept failed", at + 1)) ++warnings;
  CHECK_MESSAGE(warnings == 1, warnings, " accept warnings in the log");
  CHECK(log.find("accepting connections again") != std::string::npos);
}

TEST_CASE("faults: queries from clients that have gone are not worked out -- 300 clients ask for a big ps and leave, a ping answers soon after") {
  Daemon d;
  const LiveJob job = start_live_job(d);
  json children = json::array();
  for (int i = 0; i < 2000; ++i)
    children.push_back({{"name", "s" + std::to_string(i)}, {"kind", "sleep"}, {"duration", "1h"}});
  Millis one_ps{0};
  {
    RawClient submitter(d.socket());
    REQUIRE(reply_ok(submitter.call(1, "submit", {{"tree", {{"name", "big"}, {"children", children}}}}, 30s)));
    const auto start = Clock::now();
    REQUIRE(reply_ok(submitter.call(2, "ps", {{"all", true}}, 30s)));
    one_ps = std::chrono::duration_cast<Millis>(Clock::now() - start);
  }
  const int baseline = quiet_fd_count(d.traiod_pid());
  constexpr int kClients = 300;
  for (int i = 0; i < kClients; ++i) {
    RawClient client(d.socket());
    REQUIRE(client.connected());
    REQUIRE(client.send(i, "ps", {{"all", true}}));
  }  // each closes at once, its request unanswered
  // Worked out for nobody, the 300 replies would take 300 ps-times; a few may still be
  // computed (those read before their client closed).
  const Millis bound = std::max<Millis>(5s, one_ps * 30);
  MESSAGE("one ps of 2000 nodes took ", one_ps.count(), " ms, a ping must answer within ", bound.count(), " ms");
  const auto start = Clock::now();
  RawClient prober(d.socket());
  REQUIRE(prober.connected());
  auto pong = prober.call(1, "ping", json::object(), bound);
  MESSAGE("the ping answered after ", std::chrono::duration_cast<Millis>(Clock::now() - start).count(), " ms");
  REQUIRE_MESSAGE(reply_ok(pong), "no answer within the bound:\n", d.log());
  prober.close();
  check_daemon_unharmed(d, job, baseline);
}
