// SPEC §6 "Watching", issue 10 item 6: `traioctl metrics` and the HTTP endpoint of
// `metrics.listen`, through a real traiod, real jobs and raw sockets (no curl), every text
// read by the strict parser of the format (tests/support/prometheus_parser.hpp).
#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/support/prometheus_parser.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {

PromText parse_or_fail(const std::string& text) {
  auto result = parse_prometheus_text(text);
  if (auto* error = std::get_if<std::string>(&result)) FAIL(*error << "\n" << text);
  return std::get<PromText>(result);
}

PromText scrape(const Daemon& d) {
  auto r = d.ctl({"metrics"});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  return parse_or_fail(r.out);
}

// Polls `traioctl metrics` until `pred` holds (within `limit`); returns the last text.
template <class Pred>
PromText scrape_until(const Daemon& d, Pred pred, Millis limit = 10s) {
  const auto until = Clock::now() + limit;
  PromText text = scrape(d);
  while (!pred(text) && Clock::now() < until) {
    ::usleep(100'000);
    text = scrape(d);
  }
  return text;
}

std::string spawn_json(const Daemon& d, const std::string& file, const json& job) {
  write_file(d.dir() / file, job.dump());
  return d.ok({"spawn", (d.dir() / file).string()});
}

// One HTTP exchange over a raw socket: sends `request` and reads until the daemon closes.
// nullopt when it cannot connect or the answer does not come within `limit`.
std::optional<std::string> http_exchange(int fd, const std::string& request, Millis limit = 10s) {
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the daemon may answer (431) and stop reading before we are done
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  const auto until = Clock::now() + limit;
  for (;;) {
    const auto left = std::chrono::duration_cast<Millis>(until - Clock::now()).count();
    if (left <= 0) {
      ::close(fd);
      return std::nullopt;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char chunk[65536];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    answer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

std::optional<std::string> http_tcp(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  return http_exchange(fd, request);
}

std::optional<std::string> http_unix(const std::string& path, const std::string& request) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  return http_exchange(fd, request);
}

struct HttpAnswer {
  int status = 0;
  std::string head;
  std::string body;
};

HttpAnswer split_answer(const std::optional<std::string>& raw) {
  REQUIRE_MESSAGE(raw.has_value(), "no HTTP answer");
  HttpAnswer answer;
  auto end = raw->find("\r\n\r\n");
  REQUIRE_MESSAGE(end != std::string::npos, *raw);
  answer.head = raw->substr(0, end + 2);
  answer.body = raw->substr(end + 4);
  REQUIRE(answer.head.rfind("HTTP/1.1 ", 0) == 0);
  answer.status = std::stoi(answer.head.substr(9, 3));
  return answer;
}

std::string get(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n"; }

// traioctl as another uid (setpriv), against `d`.
CtlResult ctl_as(const Daemon& d, uid_t uid, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid),
                                   "--regid=" + std::to_string(uid), "--clear-groups", "--", traioctl_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Proc(argv, d.ctl_env()).finish(30s);
}

bool jobs_have_cgroups() { return ::geteuid() == 0 && std::filesystem::exists("/sys/fs/cgroup/unified/cgroup.procs"); }

}  // namespace

TEST_CASE("metrics: node counts match a known tree -- 3 running, 1 failed, 1 succeeded") {
  Daemon d;
  json tree = {{"name", "known"},
               {"children",
                {{{"name", "a"}, {"argv", {"sleep", "41.01"}}},
                 {{"name", "b"}, {"argv", {"sleep", "41.01"}}},
                 {{"name", "c"}, {"argv", {"sleep", "41.01"}}},
                 {{"name", "bad"}, {"argv", {"false"}}, {"bubble", false}},
                 {{"name", "good"}, {"argv", {"true"}}}}}};
  write_file(d.dir() / "known.json", tree.dump());
  auto run = d.ctl_async({"run", (d.dir() / "known.json").string()});
  PromText text = scrape_until(d, [](const PromText& t) {
    return t.value("traio_nodes", {{"state", "running"}}) == 3 &&
           t.value("traio_nodes_ended_total", {{"outcome", "failed"}}) == 1 &&
           t.value("traio_nodes_ended_total", {{"outcome", "succeeded"}}) == 1;
  });
  CHECK(text.value("traio_nodes", {{"state", "running"}}) == 3);
  CHECK(text.value("traio_nodes", {{"state", "done"}}) == 2);
  CHECK(text.value("traio_nodes", {{"state", "finalized"}}) == 1);  // /known
  CHECK(text.value("traio_nodes", {{"state", "open"}}) == 1);       // /
  CHECK(text.value("traio_nodes_ended_total", {{"outcome", "failed"}}) == 1);
  CHECK(text.value("traio_nodes_ended_total", {{"outcome", "succeeded"}}) == 1);
  CHECK(text.value("traio_spawns_total") == 5);
  CHECK(text.value("traio_spawn_failures_total") == 0);
  CHECK(text.value("traio_build_info", {{"version", TRAIO_VERSION}}) == 1);
  CHECK(text.value("traio_event_loop_lag_seconds").value_or(-1) >= 0);
  CHECK(text.value("process_resident_memory_bytes").value_or(0) > 0);
  CHECK(text.value("process_max_fds").value_or(0) > 0);
  CHECK(text.value("process_start_time_seconds").value_or(0) > 1.7e9);
  if (jobs_have_cgroups()) {
    for (const char* path : {"/known/a", "/known/b", "/known/c"})
      CHECK_MESSAGE(text.value("traio_job_cpu_seconds_total", {{"path", path}}).has_value(), path);
    CHECK(text.count("traio_job_cpu_seconds_total") == 3);  // ended jobs have none
  } else {
    MESSAGE("skipped the per-job series: jobs get no cgroup v2 leaf here");
  }
  d.ok({"cancel", "/known"});
  run->finish(20s);
}

TEST_CASE("metrics: --json wraps the text and its content type") {
  Daemon d;
  auto r = d.ctl({"--json", "metrics"});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  json reply = r.json();
  CHECK(reply["content_type"] == "text/plain; version=0.0.4; charset=utf-8");
  PromText text = parse_or_fail(reply["text"].get<std::string>());
  CHECK(text.value("traio_nodes", {{"state", "open"}}) == 1);
}

TEST_CASE("metrics: spawns and restarts move with a restarting job -- rule 11") {
  Daemon d;
  const std::string path = spawn_json(d, "flaky.json",
                                      {{"name", "flaky"},
                                       {"argv", {"sh", "-c", "exit 3"}},
                                       {"restart", {{"policy", "on-failure"}, {"max", 2},
                                                    {"backoff", {{"initial", "10ms"}, {"max", "10ms"}}}}}});
  auto w = d.ctl({"wait", path});
  CHECK_MESSAGE(w.code == 1, w.describe());
  PromText text = scrape(d);
  CHECK(text.value("traio_restarts_total") == 2);
  CHECK(text.value("traio_spawns_total") == 3);
  CHECK(text.value("traio_nodes_ended_total", {{"outcome", "failed"}}) == 1);
}

TEST_CASE("metrics: a job that cannot start is a spawn failure, a ready probe that gives up a probe failure") {
  Daemon d;
  const std::string missing = spawn_json(d, "missing.json", {{"name", "missing"}, {"argv", {"/nonexistent/prog"}}});
  const std::string never = spawn_json(
      d, "never.json",
      {{"name", "never"},
       {"argv", {"sleep", "41.02"}},
       {"ready", {{"wait_file", (d.dir() / "never.flag").string()}, {"timeout", "300ms"}, {"interval", "50ms"}}}});
  d.ctl({"wait", missing, never});
  PromText text = scrape(d);
  CHECK(text.value("traio_spawn_failures_total") == 1);
  CHECK(text.value("traio_probe_failures_total") == 1);
  CHECK(text.value("traio_nodes_ended_total", {{"outcome", "failed"}}) == 2);
}

TEST_CASE("metrics endpoint over TCP loopback: GET /metrics is Prometheus text -- HEAD, 404, 405 and 431 as HTTP says") {
  const int port = free_port();
  Daemon d(DaemonOptions(json{{"metrics", {{"listen", "127.0.0.1:" + std::to_string(port)}}}}.dump()));
  spawn_json(d, "one.json", {{"name", "one"}, {"argv", {"sleep", "41.03"}}});

  HttpAnswer ok = split_answer(http_tcp(port, get("/metrics")));
  CHECK(ok.status == 200);
  CHECK_MESSAGE(ok.head.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != std::string::npos,
                ok.head);
  CHECK(ok.head.find("\r\nContent-Length: " + std::to_string(ok.body.size()) + "\r\n") != std::string::npos);
  PromText text = parse_or_fail(ok.body);
  CHECK(text.value("traio_spawns_total") == 1);

  HttpAnswer head = split_answer(http_tcp(port, "HEAD /metrics HTTP/1.1\r\n\r\n"));
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(split_answer(http_tcp(port, get("/"))).status == 404);
  CHECK(split_answer(http_tcp(port, get("/metricsx"))).status == 404);
  HttpAnswer post = split_answer(http_tcp(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
  CHECK(post.status == 405);
  CHECK(post.head.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
  CHECK(split_answer(http_tcp(port, "BLAH\r\n\r\n")).status == 400);
  const std::string huge = "GET /metrics HTTP/1.1\r\nX-Pad: " + std::string(20000, 'a') + "\r\n\r\n";
  CHECK(split_answer(http_tcp(port, huge)).status == 431);
  // Garbage and refusals left the daemon as it was.
  CHECK(split_answer(http_tcp(port, get("/metrics"))).status == 200);
  CHECK(d.ok({"ping"}).find("pong") == 0);
}

TEST_CASE("metrics endpoint over a Unix socket path: GET /metrics answers, the file goes when traiod stops") {
  TempDir dir;
  const std::string path = (dir / "metrics.sock").string();
  {
    Daemon d(DaemonOptions(json{{"metrics", {{"listen", path}}}}.dump()));
    HttpAnswer ok = split_answer(http_unix(path, get("/metrics")));
    CHECK(ok.status == 200);
    PromText text = parse_or_fail(ok.body);
    CHECK(text.value("traio_nodes", {{"state", "open"}}) == 1);
    CHECK(split_answer(http_unix(path, "PUT /metrics HTTP/1.1\r\n\r\n")).status == 405);
    CHECK(d.stop(SIGTERM) == 0);
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("metrics endpoint: a client that sends nothing is closed after its timeout, and others are served meanwhile") {
  const int port = free_port();
  Daemon d(DaemonOptions(json{{"metrics", {{"listen", "127.0.0.1:" + std::to_string(port)}}}}.dump()));
  int idle = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const auto start = Clock::now();
  CHECK(split_answer(http_tcp(port, get("/metrics"))).status == 200);
  // Half a request line, then silence: traiod hangs up after 10 s (we allow 20).
  ::send(idle, "GET /met", 8, MSG_NOSIGNAL);
  auto rest = http_exchange(idle, "", 20s);
  CHECK(rest.has_value());
  CHECK(rest.value_or("x").empty());
  CHECK(Clock::now() - start >= 9s);
}

TEST_CASE("metrics.listen: a non-loopback address is refused at start with a clear message, exit 2") {
  TempDir dir;
  json config = {{"socket", {{"path", (dir / "traio.sock").string()}}},
                 {"state_dir", (dir / "state").string()},
                 {"metrics", {{"listen", "0.0.0.0:9101"}}}};
  write_file(dir / "traiod.json", config.dump());
  auto r = Proc({TRAIOD_BIN, "--config", (dir / "traiod.json").string()}, {}).finish(10s);
  CHECK_MESSAGE(r.code == 2, r.describe());
  CHECK_MESSAGE(r.err.find("metrics.listen: '0.0.0.0' is not a loopback address") != std::string::npos, r.describe());
  CHECK_FALSE(std::filesystem::exists(dir / "traio.sock"));
}

TEST_CASE("metrics.listen: a port already taken stops the start, and the control socket goes with it") {
  int taken = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(taken, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(taken, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(taken, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const int port = ntohs(addr.sin_port);
  TempDir dir;
  json config = {{"socket", {{"path", (dir / "traio.sock").string()}}},
                 {"state_dir", (dir / "state").string()},
                 {"metrics", {{"listen", "127.0.0.1:" + std::to_string(port)}}}};
  write_file(dir / "traiod.json", config.dump());
  auto r = Proc({TRAIOD_BIN, "--config", (dir / "traiod.json").string()}, {}).finish(10s);
  ::close(taken);
  CHECK_MESSAGE(r.code == 1, r.describe());
  CHECK_MESSAGE(r.err.find("metrics.listen: cannot bind 127.0.0.1:" + std::to_string(port)) != std::string::npos,
                r.describe());
  CHECK_FALSE(std::filesystem::exists(dir / "traio.sock"));
}

TEST_CASE("metrics: a client that is not privileged sees every count but the per-job series of its own jobs only") {
  if (skip_unless_root_and_nobody("a second uid")) return;
  if (!jobs_have_cgroups()) {
    MESSAGE("skipped: jobs get no cgroup v2 leaf here, so there are no per-job series");
    return;
  }
  Daemon d(DaemonOptions(R"({"socket": {"mode": "0666"}})"));
  std::filesystem::permissions(d.dir().path(), std::filesystem::perms(0755));
  const std::string mine = d.ok({"spawn", "--name", "roots", "--", "sleep", "41.04"});
  auto spawned = ctl_as(d, kNobody, {"spawn", "--name", "nobodys", "--cwd", "/", "--", "sleep", "41.05"});
  REQUIRE_MESSAGE(spawned.code == 0, spawned.describe());
  REQUIRE(d.inspect_until("/nobodys", is_running)["state"] == "running");
  REQUIRE(d.inspect_until("/roots", is_running)["state"] == "running");

  auto r = ctl_as(d, kNobody, {"metrics"});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  PromText seen = parse_or_fail(r.out);
  CHECK(seen.value("traio_nodes", {{"state", "running"}}) == 2);
  CHECK(seen.value("traio_job_cpu_seconds_total", {{"path", "/nobodys"}}).has_value());
  CHECK_FALSE(seen.value("traio_job_cpu_seconds_total", {{"path", "/roots"}}).has_value());

  PromText all = scrape(d);  // root sees both
  CHECK(all.value("traio_job_cpu_seconds_total", {{"path", "/nobodys"}}).has_value());
  CHECK(all.value("traio_job_cpu_seconds_total", {{"path", mine}}).has_value());
}
