// Issue 5, items 4, 6 and 7 end to end: restart policies with backoff (rule 11), `ready`
// probes, `after` ordering, and the async jobs wait_tcp / wait_file, with real processes,
// real sockets and real files.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

namespace traio::test {
namespace {

using nlohmann::json;

// A python server that starts listening on `port` after `delay_s`, then waits.
json listener_argv(int port, double delay_s) {
  return json::array({"python3", "-c",
                      "import socket,time\n"
                      "time.sleep(" + std::to_string(delay_s) + ")\n"
                      "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                      "s.bind(('127.0.0.1'," + std::to_string(port) + ")); s.listen(16)\n"
                      "time.sleep(60)\n"});
}

std::string spawn_file(const Daemon& d, const std::string& name, const json& job) {
  write_file(d.dir() / name, job.dump());
  return d.ok({"spawn", (d.dir() / name).string()});
}

CtlResult run_tree(const Daemon& d, const std::string& name, const json& tree) {
  write_file(d.dir() / name, tree.dump());
  return d.ctl({"run", (d.dir() / name).string()});
}

std::size_t count_lines(const std::filesystem::path& path) {
  std::string text = read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("rule 11: a crash-looping job restarts max times with backoff, then gives up as failed") {
  Daemon d;
  const auto runs = d.dir() / "runs";
  json job = {{"name", "crash"},
              {"argv", {"sh", "-c", "echo run >> " + runs.string() + "; exit 3"}},
              {"restart", {{"policy", "on-failure"}, {"max", 3}, {"window", "1m"},
                           {"backoff", {{"initial", "50ms"}, {"max", "200ms"}}}}}};
  const std::string path = spawn_file(d, "crash.json", job);
  auto w = d.ctl({"wait", path});
  CHECK_MESSAGE(w.code == 1, w.describe());
  CHECK(count_lines(runs) == 4);  // the first run and 3 restarts
  json node = d.inspect(path);
  CHECK(node["outcome"] == "failed");
  CHECK(node["restarts"] == 3);
  CHECK(node["exit_code"] == 3);
  CHECK(node["reason"].get<std::string>().find("restart storm") != std::string::npos);
  // Every restart was announced.
  auto events = d.ctl({"--json", "events", path});
  CHECK(events.code == 0);
  std::size_t restarting = 0;
  for (std::size_t at = events.out.find("\"restarting\""); at != std::string::npos;
       at = events.out.find("\"restarting\"", at + 1))
    ++restarting;
  CHECK(restarting == 3);
}

TEST_CASE("rule 11: on-failure restarts until a run succeeds -- its end counts for the scope then") {
  Daemon d;
  const auto count = d.dir() / "count";
  // Fails on the first two runs, succeeds on the third.
  json tree = {{"name", "t"},
               {"children",
                {{{"name", "flaky"},
                  {"argv", {"sh", "-c", "echo x >> " + count.string() + "; [ $(wc -l < " + count.string() + ") -ge 3 ]"}},
                  {"restart", {{"policy", "on-failure"}, {"backoff", {{"initial", "20ms"}, {"max", "100ms"}}}}}}}}};
  auto r = run_tree(d, "flaky.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(count_lines(count) == 3);
  CHECK(d.inspect("/t/flaky")["restarts"] == 2);
}

TEST_CASE("rule 11: a cancel during the backoff wait ends the job at once") {
  Daemon d;
  json job = {{"name", "always"},
              {"argv", {"true"}},
              {"restart", {{"policy", "always"}, {"backoff", {{"initial", "30s"}, {"max", "1m"}}}}}};
  const std::string path = spawn_file(d, "always.json", job);
  json node = d.inspect_until(path, [](const json& n) { return !n["next_attempt"].is_null(); });
  REQUIRE_MESSAGE(!node["next_attempt"].is_null(), node.dump());
  CHECK(node["state"] == "running");
  CHECK(node["restarts"] == 1);
  auto ps = d.ctl({"ps"});
  CHECK(ps.out.find("restarting in") != std::string::npos);
  d.ok({"cancel", path});
  auto w = d.ctl({"wait", path});
  CHECK_MESSAGE(w.code == 4, w.describe());
  CHECK(w.elapsed < 2s);
}

TEST_CASE("ready wait_tcp: a dependent starts only once the server listens") {
  Daemon d;
  const int port = free_port();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  json tree = {
      {"name", "svc"},
      {"children",
       {{{"name", "server"}, {"awaited", false}, {"argv", listener_argv(port, 0.5)},
         {"ready", {{"wait_tcp", address}, {"timeout", "20s"}, {"interval", "50ms"}}}},
        // Connects once: fails unless the server is already listening.
        {{"name", "client"}, {"after", {"server"}},
         {"argv", {"python3", "-c", "import socket; socket.create_connection(('127.0.0.1', " + std::to_string(port) + "))"}}}}}};
  auto r = run_tree(d, "svc.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(d.inspect("/svc/server")["outcome"] == "cancelled");  // rule 5: not awaited
  CHECK(d.inspect("/svc/client")["outcome"] == "succeeded");
}

TEST_CASE("ready exec: a probe that never passes within its timeout fails the job") {
  Daemon d;
  json job = {{"name", "never"},
              {"argv", {"sleep", "34.01"}},
              {"ready", {{"exec", {"false"}}, {"timeout", "500ms"}, {"interval", "50ms"}}}};
  const std::string path = spawn_file(d, "never.json", job);
  auto w = d.ctl({"wait", path});
  CHECK_MESSAGE(w.code == 1, w.describe());
  json node = d.inspect(path);
  CHECK(node["outcome"] == "failed");
  CHECK(node["ready"] == false);
  CHECK(node["reason"].get<std::string>().find("not ready") != std::string::npos);
  CHECK(processes_with_cmdline("sleep 34.01").empty());
}

TEST_CASE("ready wait_file and after: the dependent waits for the file the first job writes") {
  Daemon d;
  const auto flag = d.dir() / "sub" / "ready.flag";
  json tree = {
      {"name", "files"},
      {"children",
       {{{"name", "maker"}, {"awaited", false},
         {"argv", {"sh", "-c", "sleep 0.3; mkdir -p " + flag.parent_path().string() + "; touch " + flag.string() + "; sleep 60"}},
         {"ready", {{"wait_file", flag.string()}, {"timeout", "20s"}}}},
        {{"name", "user"}, {"after", {"maker"}}, {"argv", {"test", "-e", flag.string()}}}}}};
  auto r = run_tree(d, "files.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());
}

TEST_CASE("after: a dependency that fails without bubbling makes its dependent skipped") {
  Daemon d;
  json tree = {{"name", "pipe"},
               {"children",
                {{{"name", "build"}, {"bubble", false}, {"argv", {"false"}}},
                 {{"name", "deploy"}, {"after", {{{"name", "build"}, {"when", "succeeded"}}}}, {"argv", {"true"}}},
                 {{"name", "report"}, {"after", {{{"name", "build"}, {"when", "failed"}}}}, {"argv", {"true"}}}}}};
  auto r = run_tree(d, "pipe.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(d.inspect("/pipe/deploy")["outcome"] == "skipped");
  CHECK(d.inspect("/pipe/report")["outcome"] == "succeeded");
}

TEST_CASE("after: a cycle or an unknown name is refused at submit with exit 2") {
  Daemon d;
  json cycle = {{"name", "c"},
                {"children",
                 {{{"name", "a"}, {"after", {"b"}}, {"argv", {"true"}}}, {{"name", "b"}, {"after", {"a"}}, {"argv", {"true"}}}}}};
  auto r = run_tree(d, "cycle.json", cycle);
  CHECK_MESSAGE(r.code == 2, r.describe());
  CHECK(r.err.find("cycle") != std::string::npos);
  json unknown = {{"name", "lonely"}, {"after", {"nobody"}}, {"argv", {"true"}}};
  write_file(d.dir() / "unknown.json", unknown.dump());
  auto s = d.ctl({"spawn", (d.dir() / "unknown.json").string()});
  CHECK_MESSAGE(s.code == 2, s.describe());
  CHECK(s.err.find("nobody") != std::string::npos);
  CHECK(d.ctl({"inspect", "/lonely"}).code == 5);  // nothing was submitted
}

TEST_CASE("wait_tcp job: succeeds once something listens -- wait_file job: once the path appears") {
  Daemon d;
  const int port = free_port();
  const std::string tcp = spawn_file(d, "tcp.json", {{"name", "port"}, {"kind", "wait_tcp"},
                                                     {"address", "127.0.0.1:" + std::to_string(port)},
                                                     {"interval", "50ms"}});
  const auto target = d.dir() / "later" / "deeper" / "file";
  const std::string file = spawn_file(d, "file.json", {{"name", "file"}, {"kind", "wait_file"}, {"path", target.string()}});
  ::usleep(300'000);
  CHECK(d.inspect(tcp)["state"] == "running");
  CHECK(d.inspect(file)["state"] == "running");
  const std::string server = d.ok({"spawn", "--name", "server", "--", "python3", "-c",
                                   listener_argv(port, 0)[2].get<std::string>()});
  std::filesystem::create_directories(target.parent_path());
  write_file(target, "x");
  auto w = d.ctl({"wait", tcp, file}, {}, 20s);
  CHECK_MESSAGE(w.code == 0, w.describe());
  d.ok({"cancel", server});
  d.ctl({"wait", server});
}

TEST_CASE("wait jobs stop at once when cancelled") {
  Daemon d;
  const std::string tcp = spawn_file(d, "tcp.json", {{"name", "port"}, {"kind", "wait_tcp"},
                                                     {"address", "127.0.0.1:" + std::to_string(free_port())}});
  const std::string file = spawn_file(d, "file.json", {{"name", "file"}, {"kind", "wait_file"},
                                                       {"path", (d.dir() / "never").string()}});
  d.inspect_until(tcp, is_running);
  d.ok({"cancel", tcp});
  d.ok({"cancel", file});
  auto w = d.ctl({"wait", tcp, file});
  CHECK_MESSAGE(w.code == 4, w.describe());
  CHECK(w.elapsed < 2s);
}

}  // namespace traio::test
