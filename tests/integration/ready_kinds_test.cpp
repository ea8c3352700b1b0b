// Issue 10: the `ready` kinds http, log and notify (SPEC §6) end to end, through a real
// traiod and traioctl, with real servers, real output and real datagrams.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

namespace traio::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// An HTTP server on 127.0.0.1:`port` that answers 503 for `unready_s` seconds after it
// listens, then 200; each 503 it sends adds a line to `count_file`.
json http_server_argv(int port, double unready_s, const fs::path& count_file) {
  return json::array({"python3", "-c",
                      "import http.server, sys, time\n"
                      "port, unready, count = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]\n"
                      "class H(http.server.BaseHTTPRequestHandler):\n"
                      "    def do_GET(self):\n"
                      "        ok = time.time() - start >= unready\n"
                      "        if not ok: open(count, 'a').write('503\\n')\n"
                      "        self.send_response(200 if ok else 503)\n"
                      "        self.send_header('Content-Length', '0')\n"
                      "        self.end_headers()\n"
                      "    def log_message(self, *args): pass\n"
                      "server = http.server.HTTPServer(('127.0.0.1', port), H)\n"
                      "start = time.time()\n"
                      "server.serve_forever()\n",
                      std::to_string(port), std::to_string(unready_s), count_file.string()});
}

// Python that sends `message` to $NOTIFY_SOCKET, as sd_notify(3) does.
std::string notify_command(const std::string& message) {
  return "python3 -c \"import socket,os; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); "
         "s.sendto(b'" + message + "', os.environ['NOTIFY_SOCKET'])\"";
}

CtlResult run_tree(const Daemon& d, const std::string& name, const json& tree) {
  write_file(d.dir() / name, tree.dump());
  return d.ctl({"run", (d.dir() / name).string()});
}

std::string spawn_job(const Daemon& d, const std::string& name, const json& job) {
  write_file(d.dir() / name, job.dump());
  return d.ok({"spawn", (d.dir() / name).string()});
}

// Milliseconds since the epoch of "2026-11-25T17:01:04.856Z" (the daemon's times).
long long epoch_millis(const std::string& text) {
  std::tm tm{};
  int millis = 0;
  REQUIRE_MESSAGE(std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                              &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) >= 6,
                  text);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(::timegm(&tm)) * 1000 + millis;
}

// The time of the node's `ready` event (from `events`), "" when it has none.
std::string ready_event_time(const Daemon& d, const std::string& path) {
  auto events = d.ctl({"--json", "events", path});
  REQUIRE_MESSAGE(events.code == 0, events.describe());
  std::string time;
  const json reply = events.json();
  for (const json& event : reply["events"])
    if (event.value("kind", "") == "ready" && event.value("path", "") == path) time = event.value("time", "");
  return time;
}

// How long after its start the running job `path` became ready, by the daemon's clock.
long long millis_to_ready(const Daemon& d, const std::string& path) {
  json node = d.inspect_until(path, [](const json& n) { return n["ready"] == true; }, 20s);
  REQUIRE_MESSAGE(node["ready"] == true, node.dump(2));
  const std::string ready_at = ready_event_time(d, path);
  REQUIRE_FALSE(ready_at.empty());
  return epoch_millis(ready_at) - epoch_millis(node["started_at"].get<std::string>());
}

std::size_t count_lines(const fs::path& path) {
  if (!fs::exists(path)) return 0;
  std::string text = read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The notify sockets the daemon has bound beside its control socket.
std::vector<fs::path> notify_sockets(const Daemon& d) {
  std::vector<fs::path> out;
  const fs::path socket = d.socket();
  for (const auto& entry : fs::directory_iterator(socket.parent_path()))
    if (entry.path().filename().string().rfind(socket.filename().string() + ".notify-", 0) == 0)
      out.push_back(entry.path());
  return out;
}

// Sends `message` to the Unix datagram socket at `path` from this (the test's) process.
void send_datagram(const std::string& path, const std::string& message) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  const auto sent = ::sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&address),
                             sizeof address);
  ::close(fd);
  REQUIRE_MESSAGE(sent == static_cast<ssize_t>(message.size()), std::strerror(errno));
}

}  // namespace

TEST_CASE("ready http: a job is ready only once its URL answers 2xx -- 503s before do not count") {
  Daemon d;
  const int port = free_port();
  const auto count = d.dir() / "503s";
  const std::string path = spawn_job(d, "web.json", {{"name", "web"}, {"argv", http_server_argv(port, 1.5, count)},
                                                     {"ready", {{"http", "http://127.0.0.1:" + std::to_string(port) + "/health"},
                                                                {"timeout", "30s"}, {"interval", "50ms"}}}});
  const long long waited = millis_to_ready(d, path);
  CHECK(count_lines(count) >= 1);  // the probe saw the 503s and went on
  CHECK(waited >= 1500);           // the server answers 200 only 1.5 s after it listens
  d.ok({"cancel", path});
}

TEST_CASE("ready http: a dependent with after starts once the server answers 200") {
  Daemon d;
  const int port = free_port();
  const std::string url = "http://localhost:" + std::to_string(port) + "/";
  json tree = {
      {"name", "svc"},
      {"children",
       {{{"name", "server"}, {"awaited", false}, {"argv", http_server_argv(port, 0.5, d.dir() / "503s")},
         {"ready", {{"http", url}, {"timeout", "30s"}, {"interval", "50ms"}}}},
        // Fails unless the server already answers 200.
        {{"name", "client"}, {"after", {{{"name", "server"}, {"when", "ready"}}}},
         {"argv", {"python3", "-c", "import urllib.request; assert urllib.request.urlopen('" + url + "').status == 200"}}}}}};
  auto r = run_tree(d, "svc.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(d.inspect("/svc/client")["outcome"] == "succeeded");
}

TEST_CASE("ready http: the timeout fails the job with the last answer -- 503") {
  Daemon d;
  const int port = free_port();
  const std::string path =
      spawn_job(d, "web.json", {{"name", "web"}, {"argv", http_server_argv(port, 3600, d.dir() / "503s")},
                                {"ready", {{"http", "http://127.0.0.1:" + std::to_string(port) + "/"},
                                           {"timeout", "2s"}, {"interval", "50ms"}}}});
  auto w = d.ctl({"wait", path});
  CHECK_MESSAGE(w.code == 1, w.describe());
  json node = d.inspect(path);
  CHECK(node["outcome"] == "failed");
  const std::string reason = node["reason"].get<std::string>();
  CHECK_MESSAGE(reason.find("http not ready after 2s") != std::string::npos, reason);
  CHECK_MESSAGE(reason.find("503 Service Unavailable") != std::string::npos, reason);
}

TEST_CASE("ready http: with nothing listening the timeout names the refused connect") {
  Daemon d;
  const int port = free_port();
  const std::string path = spawn_job(d, "web.json", {{"name", "web"}, {"argv", {"sleep", "35.01"}},
                                                     {"ready", {{"http", "http://127.0.0.1:" + std::to_string(port)},
                                                                {"timeout", "500ms"}, {"interval", "50ms"}}}});
  auto w = d.ctl({"wait", path});
  CHECK_MESSAGE(w.code == 1, w.describe());
  const std::string reason = d.inspect(path)["reason"].get<std::string>();
  CHECK_MESSAGE(reason.find("Connection refused") != std::string::npos, reason);
  CHECK(processes_with_cmdline("sleep 35.01").empty());
}

TEST_CASE("ready http: https and a non-local host are refused at submit with exit 2") {
  Daemon d;
  write_file(d.dir() / "a.json", json{{"argv", {"true"}}, {"ready", {{"http", "https://127.0.0.1/"}}}}.dump());
  auto https = d.ctl({"spawn", (d.dir() / "a.json").string()});
  CHECK(https.code == 2);
  CHECK_MESSAGE(https.err.find("ready.http") != std::string::npos, https.describe());
  CHECK_MESSAGE(https.err.find("https is not supported") != std::string::npos, https.describe());
  write_file(d.dir() / "b.json", json{{"argv", {"true"}}, {"ready", {{"http", "http://example.com/"}}}}.dump());
  auto remote = d.ctl({"spawn", (d.dir() / "b.json").string()});
  CHECK(remote.code == 2);
  CHECK_MESSAGE(remote.err.find("the host must be local") != std::string::npos, remote.describe());
}

TEST_CASE("ready log: a job that prints its line after 1 s becomes ready then -- not at its start") {
  Daemon d;
  const std::string path =
      spawn_job(d, "log.json", {{"name", "svc"},
                                {"argv", {"sh", "-c", "echo starting; echo 'still starting' >&2; sleep 1; "
                                                      "echo 'listening on port 8080' >&2; sleep 60"}},
                                {"ready", {{"log", "listening on port [0-9]+$"}, {"timeout", "30s"}}}});
  const long long waited = millis_to_ready(d, path);
  CHECK(waited >= 900);  // sleep 1 before the line; the daemon's times have ms resolution
  auto logs = d.ok({"logs", path});  // the line that matched is in the log like any other
  CHECK(logs.find("listening on port 8080") != std::string::npos);
  d.ok({"cancel", path});
}

TEST_CASE("ready log: with output inherit, a dependent with after waits for the line") {
  Daemon d;
  const auto flag = d.dir() / "flag";
  json tree = {{"name", "logs"},
               {"children",
                {{{"name", "server"}, {"awaited", false}, {"output", "inherit"},
                  {"argv", {"sh", "-c", "sleep 0.5; touch " + flag.string() + "; echo READY now; sleep 60"}},
                  {"ready", {{"log", "^READY"}, {"timeout", "30s"}}}},
                 {{"name", "client"}, {"after", {"server"}}, {"argv", {"test", "-e", flag.string()}}}}}};
  auto r = run_tree(d, "logs.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(d.inspect("/logs/client")["outcome"] == "succeeded");
}

TEST_CASE("ready log: the timeout fails the job, naming the pattern and the lines read") {
  Daemon d;
  const std::string path = spawn_job(d, "log.json", {{"name", "quiet"},
                                                     {"argv", {"sh", "-c", "echo one; echo two; sleep 60"}},
                                                     {"ready", {{"log", "^ready$"}, {"timeout", "1s"}}}});
  auto w = d.ctl({"wait", path});
  CHECK_MESSAGE(w.code == 1, w.describe());
  const std::string reason = d.inspect(path)["reason"].get<std::string>();
  CHECK_MESSAGE(reason.find("log not ready after 1s: no line of its output matched '^ready$' (2 lines read)") !=
                    std::string::npos,
                reason);
}

TEST_CASE("ready log: output null or a file is refused at submit with exit 2") {
  Daemon d;
  write_file(d.dir() / "a.json", json{{"argv", {"true"}}, {"output", "null"}, {"ready", {{"log", "up"}}}}.dump());
  auto r = d.ctl({"spawn", (d.dir() / "a.json").string()});
  CHECK(r.code == 2);
  CHECK_MESSAGE(r.err.find("ready.log: needs the job's output to pass through traiod") != std::string::npos,
                r.describe());
  write_file(d.dir() / "b.json", json{{"argv", {"true"}}, {"ready", {{"log", "up("}}}}.dump());
  auto bad = d.ctl({"spawn", (d.dir() / "b.json").string()});
  CHECK(bad.code == 2);
  CHECK_MESSAGE(bad.err.find("ready.log: not a valid extended regular expression") != std::string::npos,
                bad.describe());
}

TEST_CASE("ready notify: READY=1 on NOTIFY_SOCKET makes the job ready -- its dependent then starts") {
  Daemon d;
  const auto flag = d.dir() / "flag";
  json tree = {{"name", "svc"},
               {"children",
                {{{"name", "server"}, {"awaited", false},
                  {"argv", {"sh", "-c", "sleep 0.5; touch " + flag.string() + "; " +
                                            notify_command("STATUS=up\\nREADY=1") + "; sleep 60"}},
                  {"ready", {{"notify", true}, {"timeout", "30s"}}}},
                 {{"name", "client"}, {"after", {{{"name", "server"}, {"when", "ready"}}}},
                  {"argv", {"test", "-e", flag.string()}}}}}};
  auto r = run_tree(d, "svc.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(d.inspect("/svc/client")["outcome"] == "succeeded");
  CHECK(d.inspect("/svc/server")["outcome"] == "cancelled");  // not awaited
  CHECK(notify_sockets(d).empty());  // unlinked when the job ended
}

TEST_CASE("ready notify: the job gets NOTIFY_SOCKET -- a datagram from a process outside the job is ignored") {
  Daemon d;
  const auto go = d.dir() / "go";
  const std::string path = spawn_job(
      d, "n.json", {{"name", "n"},
                    {"argv", {"sh", "-c", "while [ ! -e " + go.string() + " ]; do sleep 0.05; done; " +
                                              notify_command("READY=1") + "; sleep 60"}},
                    {"ready", {{"notify", true}, {"timeout", "30s"}}}});
  json node = d.inspect_until(path, is_running);
  REQUIRE(node["pid"].is_number());
  Env env = environment_of(node["pid"].get<pid_t>());
  REQUIRE(env.count("NOTIFY_SOCKET") == 1);
  const std::string socket = env["NOTIFY_SOCKET"];
  REQUIRE(notify_sockets(d) == std::vector<fs::path>{socket});
  send_datagram(socket, "READY=1");  // from the test: not one of the job's processes
  std::this_thread::sleep_for(500ms);
  CHECK(d.inspect(path)["ready"] == false);
  write_file(go, "");
  node = d.inspect_until(path, [](const json& n) { return n["ready"] == true; }, 20s);
  CHECK(node["ready"] == true);
  d.ctl({"cancel", path});
  d.ctl({"wait", path});
  CHECK(notify_sockets(d).empty());
}

TEST_CASE("ready notify: the timeout fails the job, with the last STATUS= it sent") {
  Daemon d;
  const std::string path = spawn_job(d, "n.json", {{"name", "n"},
                                                   {"argv", {"sh", "-c", notify_command("STATUS=warming up") + "; sleep 60"}},
                                                   {"ready", {{"notify", true}, {"timeout", "1s"}}}});
  auto w = d.ctl({"wait", path});
  CHECK_MESSAGE(w.code == 1, w.describe());
  const std::string reason = d.inspect(path)["reason"].get<std::string>();
  CHECK_MESSAGE(reason.find("notify not ready after 1s: no READY=1 came to its NOTIFY_SOCKET (last STATUS=warming up)") !=
                    std::string::npos,
                reason);
  CHECK(notify_sockets(d).empty());
}

TEST_CASE("ready notify: a job running as another user can send READY=1 to its socket") {
  if (skip_unless_root_and_nobody("a notify job as another user")) return;
  Daemon d;
  fs::permissions(d.dir().path(), fs::perms(0755));  // as a socket directory is: users reach their socket
  const std::string path = spawn_job(d, "n.json", {{"name", "n"}, {"user", "nobody"}, {"cwd", "/"},
                                                   {"argv", {"sh", "-c", notify_command("READY=1") + "; sleep 60"}},
                                                   {"ready", {{"notify", true}, {"timeout", "30s"}}}});
  json node = d.inspect_until(path, [](const json& n) { return n["ready"] == true || is_done(n); }, 20s);
  CHECK_MESSAGE(node["ready"] == true, node.dump(2));
  d.ctl({"cancel", path});
  d.ctl({"wait", path});
}

}  // namespace traio::test
