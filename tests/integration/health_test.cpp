// Issue 10 item 2: `health` (SPEC §6) end to end through a real traiod and traioctl: a real
// HTTP server that starts answering 500 is restarted or fails its scope, an exec check
// follows a file, and inspect shows the last results.
#include <filesystem>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

namespace traio::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// An HTTP server on 127.0.0.1:`port` that answers 200 for `healthy_s` seconds after it
// listens, then 500. Once `cured` exists (the first run creates it), every answer is 200:
// a restarted server is healthy for good.
json sickening_server(int port, double healthy_s, const fs::path& cured) {
  return json::array({"python3", "-c",
                      "import http.server, os, sys, time\n"
                      "port, healthy, cured = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]\n"
                      "always = os.path.exists(cured)\n"
                      "open(cured, 'a').close()\n"
                      "class H(http.server.BaseHTTPRequestHandler):\n"
                      "    def do_GET(self):\n"
                      "        ok = always or time.time() - start < healthy\n"
                      "        self.send_response(200 if ok else 500)\n"
                      "        self.send_header('Content-Length', '0')\n"
                      "        self.end_headers()\n"
                      "    def log_message(self, *args): pass\n"
                      "http.server.HTTPServer.allow_reuse_address = True\n"
                      "server = http.server.HTTPServer(('127.0.0.1', port), H)\n"
                      "start = time.time()\n"
                      "server.serve_forever()\n",
                      std::to_string(port), std::to_string(healthy_s), cured.string()});
}

json http_job(const std::string& name, int port, const fs::path& cured, const std::string& action) {
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  return {{"name", name},
          {"argv", sickening_server(port, 1.0, cured)},
          {"ready", {{"http", url}, {"timeout", "30s"}, {"interval", "50ms"}}},
          {"health", {{"http", url}, {"interval", "200ms"}, {"timeout", "1s"}, {"failures", 2}, {"action", action}}}};
}

std::string spawn_job(const Daemon& d, const std::string& file, const json& job) {
  write_file(d.dir() / file, job.dump());
  return d.ok({"spawn", (d.dir() / file).string()});
}

// The kinds of the events the daemon keeps for `path`, in order.
std::vector<std::string> event_kinds(const Daemon& d, const std::string& path) {
  auto events = d.ctl({"--json", "events", path});
  REQUIRE_MESSAGE(events.code == 0, events.describe());
  std::vector<std::string> kinds;
  const json reply = events.json();  // named: a temporary would die before the loop runs
  for (const json& event : reply["events"])
    if (event.value("path", std::string()) == path) kinds.push_back(event.value("kind", std::string()));
  INFO("events of " << path << ": " << events.out);
  CHECK_FALSE(kinds.empty());
  return kinds;
}

bool has_kind(const std::vector<std::string>& kinds, const std::string& kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

}  // namespace

TEST_CASE("health http: a server that starts answering 500 is restarted after the failed checks -- new pid, restarts 1") {
  Daemon d;
  const int port = free_port();
  const std::string path = spawn_job(d, "web.json", http_job("web", port, d.dir() / "cured", "restart"));
  json first = d.inspect_until(path, [](const json& n) { return n["ready"] == true; }, 20s);
  REQUIRE_MESSAGE(first["ready"] == true, first.dump(2));
  const int first_pid = first["pid"].get<int>();
  json node = d.inspect_until(
      path,
      [](const json& n) {
        return n["restarts"] == 1 && n["ready"] == true && n["health"]["status"] == "healthy";
      },
      30s);
  CHECK_MESSAGE(node["restarts"] == 1, node.dump(2));
  CHECK(node["state"] == "running");
  REQUIRE(node["pid"].is_number());
  CHECK(node["pid"].get<int>() != first_pid);
  CHECK(node["health"]["status"] == "healthy");
  CHECK(node["health"]["last"]["ok"] == true);
  const std::string last_exit = node["last_exit"].get<std::string>();
  CHECK_MESSAGE(last_exit.find("unhealthy: GET http://127.0.0.1:") == 0, last_exit);
  CHECK_MESSAGE(last_exit.find("500 Internal Server Error") != std::string::npos, last_exit);
  const auto kinds = event_kinds(d, path);
  CHECK(has_kind(kinds, "healthy"));
  CHECK(has_kind(kinds, "unhealthy"));
  CHECK(has_kind(kinds, "restarting"));
  CHECK(d.ctl({"events", path}).out.find("unhealthy") != std::string::npos);  // the human form too
  d.ok({"cancel", path});
}

TEST_CASE("health http: with action fail the job fails with reason unhealthy and its scope fails -- rule 3") {
  Daemon d;
  const int port = free_port();
  json tree = {{"name", "svc"},
               {"children", {http_job("web", port, d.dir() / "cured", "fail"), {{"name", "idle"}, {"argv", {"sleep", "36.01"}}}}}};
  write_file(d.dir() / "svc.json", tree.dump());
  auto r = d.ctl({"run", (d.dir() / "svc.json").string()});
  CHECK_MESSAGE(r.code == 1, r.describe());
  json web = d.inspect("/svc/web");
  CHECK(web["outcome"] == "failed");
  CHECK(web["restarts"] == 0);
  const std::string reason = web["reason"].get<std::string>();
  CHECK_MESSAGE(reason.find("unhealthy: GET http://127.0.0.1:") == 0, reason);
  CHECK_MESSAGE(reason.find("500") != std::string::npos, reason);
  CHECK(web["health"]["status"] == "unhealthy");
  CHECK(web["health"]["failures"] == 2);
  CHECK(web["health"]["last"]["ok"] == false);
  json svc = d.inspect("/svc");
  CHECK(svc["outcome"] == "failed");
  CHECK(svc["cause"]["path"] == "/svc/web");
  CHECK(d.inspect("/svc/idle")["outcome"] == "cancelled");
  CHECK(has_kind(event_kinds(d, "/svc/web"), "unhealthy"));
}

TEST_CASE("health exec: a check command follows a file -- inspect shows the last result, then the job fails") {
  Daemon d;
  const fs::path flag = d.dir() / "alive";
  write_file(flag, "");
  const std::string path =
      spawn_job(d, "job.json",
                {{"name", "worker"},
                 {"argv", {"sleep", "37.01"}},
                 {"health",
                  {{"exec", {"sh", "-c", "test -e " + flag.string()}}, {"interval", "100ms"}, {"timeout", "1s"},
                   {"failures", 3}, {"action", "fail"}}}});
  json node = d.inspect_until(path, [](const json& n) { return n["health"]["status"] == "healthy"; }, 20s);
  REQUIRE_MESSAGE(node["health"]["status"] == "healthy", node.dump(2));
  CHECK(node["health"]["failures"] == 0);
  CHECK(node["health"]["last"]["ok"] == true);
  CHECK(node["health"]["last"]["message"] == "exec 'sh' exited with code 0");
  CHECK(node["health"]["last"]["at"].is_string());
  CHECK(node["spec"]["health"]["failures"] == 3);
  fs::remove(flag);
  auto w = d.ctl({"wait", path}, {}, 30s);
  CHECK_MESSAGE(w.code == 1, w.describe());
  node = d.inspect(path);
  CHECK(node["outcome"] == "failed");
  CHECK(node["reason"] == "unhealthy: exec 'sh' exited with code 1");
  CHECK(node["health"]["status"] == "unhealthy");
  CHECK(node["health"]["failures"] == 3);
  CHECK(node["health"]["last"]["message"] == "exec 'sh' exited with code 1");
}

TEST_CASE("health: log and notify checks are refused at submit with exit 2 and the field path") {
  Daemon d;
  write_file(d.dir() / "a.json", json{{"argv", {"true"}}, {"health", {{"log", "ok"}}}}.dump());
  auto r = d.ctl({"spawn", (d.dir() / "a.json").string()});
  CHECK_MESSAGE(r.code == 2, r.describe());
  CHECK_MESSAGE(r.err.find("health.log: cannot be a health check") != std::string::npos, r.describe());
}

}  // namespace traio::test
