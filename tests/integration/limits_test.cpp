// Limits against a real traiod (issue 7, item 1; SPEC §5 and config `limits`): every
// refusal is an error reply with a stable code, the daemon serves on, and live jobs are
// untouched. Line length, nesting depth and the connection slot itself are covered against
// the daemon object in tests/unit/server/session_test.cpp; here are the rest, end to end.
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/raw_client.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A process job that must outlive every refusal of a test: its path and pid.
std::pair<std::string, pid_t> start_live_job(const Daemon& d) {
  const std::string path = d.ok({"spawn", "--name", "live", "--", "sleep", "300"});
  auto node = d.inspect_until(path, is_running);
  REQUIRE(node["state"] == "running");
  return {path, node["pid"].get<pid_t>()};
}

void check_live_job_untouched(const Daemon& d, const std::pair<std::string, pid_t>& job) {
  auto node = d.inspect(job.first);
  CHECK(node["state"] == "running");
  CHECK(node["pid"] == job.second);
  CHECK(process_exists(job.second));
}

// Polls `traioctl ping` until it exits 0.
bool ping_answers(const Daemon& d, Millis limit = 5s) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (d.ctl({"ping"}, {}, 5s).code == 0) return true;
    ::usleep(50'000);
  }
  return false;
}

}  // namespace

TEST_CASE("limits: traioctl over limits.connections exits 7 with the reason -- works again as soon as a client leaves") {
  Daemon d(DaemonOptions(R"({"limits": {"connections": 3}})"));
  const auto job = start_live_job(d);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(d.socket()));
    REQUIRE(reply_ok(held.back()->call(1, "ping")));
  }
  CtlResult refused = d.ctl({"ping"});
  CHECK_MESSAGE(refused.code == 7, refused.describe());
  CHECK_MESSAGE(contains(refused.err, "too many connections"), refused.describe());
  CtlResult refused_json = d.ctl({"--json", "spawn", "--", "true"});
  CHECK(refused_json.code == 7);
  CHECK_MESSAGE(contains(refused_json.out, "\"limit_exceeded\""), refused_json.describe());
  for (auto& c : held) CHECK(reply_ok(c->call(2, "ping")));  // the holders are untouched

  held.pop_back();
  CHECK_MESSAGE(ping_answers(d), "no slot after a client left:\n", d.log());
  held.clear();
  check_live_job_untouched(d, job);
  CHECK(d.ok({"ps"}).find("job-") == std::string::npos);  // the refused spawn made nothing
}

TEST_CASE("limits: a spawn beyond limits.nodes gets limit_exceeded (exit 7) -- spawns work again once nodes have ended") {
  // The root and four nodes; the default history (1000) would keep every ended node.
  Daemon d(DaemonOptions(R"({"limits": {"nodes": 5}})"));
  const auto job = start_live_job(d);
  for (const char* name : {"a", "b", "c"}) d.ok({"spawn", "--name", name, "--", "sleep", "300"});

  CtlResult refused = d.ctl({"--json", "spawn", "--name", "e", "--", "true"});
  CHECK_MESSAGE(refused.code == 7, refused.describe());
  CHECK_MESSAGE(contains(refused.out, "\"limit_exceeded\""), refused.describe());
  CHECK(d.ctl({"fork", "--name", "f"}).code == 7);
  RawClient raw(d.socket());
  auto tree = raw.call(1, "submit", {{"tree", {{"name", "t"}, {"children", json::array()}}}});
  CHECK(error_code(tree) == "limit_exceeded");
  CHECK(d.ctl({"inspect", "/e"}).code == 5);
  check_live_job_untouched(d, job);

  for (const char* path : {"/a", "/b", "/c"}) d.ok({"cancel", path});
  for (const char* path : {"/a", "/b", "/c"}) REQUIRE(is_done(d.inspect_until(path, is_done)));
  // Three nodes ended: the tree makes room for new ones by forgetting the oldest ended.
  for (const char* name : {"e", "f", "g"}) {
    CtlResult r = d.ctl({"spawn", "--wait", "--name", name, "--", "true"});
    CHECK_MESSAGE(r.code == 0, "spawn /", name, " after nodes ended: ", r.describe());
  }
  check_live_job_untouched(d, job);
  // Live nodes are never forgotten to make room: with four live, a fifth is refused.
  for (const char* name : {"h", "i", "j"}) d.ok({"spawn", "--name", name, "--", "sleep", "300"});
  CHECK(d.ctl({"spawn", "--name", "k", "--", "true"}).code == 7);
  for (const char* path : {"/live", "/h", "/i", "/j"}) CHECK(d.inspect(path)["state"] == "running");
}

TEST_CASE("limits: hostile node names are refused with invalid_request by the daemon -- nothing is created") {
  Daemon d;
  const auto job = start_live_job(d);
  RawClient raw(d.socket());
  const std::vector<std::string> names = {
      "..", ".", "a/b", "/abs", "a\x01" "b", "tab\there", "new\nline", "del\x7f", std::string(65, 'n'),
      "-dash", "", std::string(30, 'x') + "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac" + std::string(40, 'y'),
  };
  std::int64_t id = 0;
  for (const auto& name : names) {
    auto spawn = raw.call(++id, "spawn", {{"job", {{"name", name}, {"argv", {"true"}}}}});
    CHECK_MESSAGE(error_code(spawn) == "invalid_request", "spawn name '", name, "': ", spawn.value_or(json()).dump());
    auto fork = raw.call(++id, "fork", {{"name", name}});
    // An empty fork name asks for a generated one: that is no refusal.
    if (!name.empty())
      CHECK_MESSAGE(error_code(fork) == "invalid_request", "fork name '", name, "': ", fork.value_or(json()).dump());
    auto tree = raw.call(++id, "submit", {{"tree", {{"name", "t"}, {"children", {{{"name", name}, {"argv", {"true"}}}}}}}});
    if (!name.empty())
      CHECK_MESSAGE(error_code(tree) == "invalid_request", "child name '", name, "': ", tree.value_or(json()).dump());
  }
  CHECK(reply_ok(raw.call(++id, "ping")));
  auto ps = raw.call(++id, "ps", {{"all", true}});
  REQUIRE(reply_ok(ps));
  // Only the live job, and scopes forked with a generated name.
  for (const auto& child : (*ps)["result"]["node"]["children"]) {
    const std::string path = child["path"];
    CHECK_MESSAGE((path == "/live" || path.rfind("/scope-", 0) == 0), "unexpected node ", path);
  }
  check_live_job_untouched(d, job);
}

TEST_CASE("limits: hostile paths in requests are invalid_request, unknown ones not_found -- the daemon serves on") {
  Daemon d;
  const auto job = start_live_job(d);
  RawClient raw(d.socket());
  const std::vector<std::string> bad = {
      "", "live", "/live/..", "/../live", "/./live", "//live", "/live/", "/li\x01ve", "/" + std::string(100'000, 'p'),
  };
  std::int64_t id = 0;
  for (const auto& path : bad) {
    auto inspect = raw.call(++id, "inspect", {{"path", path}});
    CHECK_MESSAGE(error_code(inspect) == "invalid_request", "inspect '", path.substr(0, 40), "': ",
                  inspect.value_or(json()).dump().substr(0, 300));
    auto cancel = raw.call(++id, "cancel", {{"path", path}});
    CHECK(error_code(cancel) == "invalid_request");
    auto spawn = raw.call(++id, "spawn", {{"scope", path}, {"job", {{"argv", {"true"}}}}});
    CHECK(error_code(spawn) == "invalid_request");
  }
  CHECK(error_code(raw.call(++id, "inspect", {{"path", "/nope"}})) == "not_found");
  CHECK(error_code(raw.call(++id, "inspect", {{"path", "/live/child"}})) == "not_found");
  CHECK(error_code(raw.call(++id, "inspect", {{"path", 7}})) == "invalid_request");
  check_live_job_untouched(d, job);
}

TEST_CASE("limits: argv and env beyond their bounds are invalid_request naming the field -- the daemon serves on") {
  Daemon d;
  const auto job = start_live_job(d);
  RawClient raw(d.socket());
  auto refused = [&](std::int64_t id, const json& job_spec, const std::string& field) {
    auto reply = raw.call(id, "spawn", {{"job", job_spec}}, 20s);
    CHECK_MESSAGE(error_code(reply) == "invalid_request", field, ": ", reply.value_or(json()).dump().substr(0, 300));
    CHECK_MESSAGE(contains(error_message(reply), field), error_message(reply).substr(0, 300));
  };
  json many_args = json::array();
  for (int i = 0; i < 4097; ++i) many_args.push_back("a");
  refused(1, {{"argv", many_args}}, "argv");
  refused(2, {{"argv", {"echo", std::string(128 * 1024 + 1, 'x')}}}, "argv[1]");
  refused(3, {{"argv", json::array()}}, "argv");
  refused(4, {{"argv", {"true", std::string("nul\0byte", 8)}}}, "argv[1]");
  json many_vars = json::object();
  for (int i = 0; i < 4097; ++i) many_vars["V" + std::to_string(i)] = "1";
  refused(5, {{"argv", {"true"}}, {"env", many_vars}}, "env");
  refused(6, {{"argv", {"true"}}, {"env", {{"BIG", std::string(128 * 1024 + 1, 'x')}}}}, "env.BIG");
  refused(7, {{"argv", {"true"}}, {"env", {{"A=B", "1"}}}}, "env");
  CHECK(reply_ok(raw.call(8, "ping")));
  CHECK(d.ok({"ps"}).find("job-") == std::string::npos);
  check_live_job_untouched(d, job);
}

TEST_CASE("limits: an argv within the bounds that the kernel refuses (E2BIG) fails the job with the reason") {
  // One argument of 128 KiB: the parser allows it, exec does not (MAX_ARG_STRLEN counts the
  // NUL); and 6.5 MiB in all, over the kernel's total for argv and environment.
  Daemon d(DaemonOptions(R"({"limits": {"request_bytes": "8MiB"}})"));
  const auto job = start_live_job(d);
  RawClient raw(d.socket());
  json total = {"true"};
  for (int i = 0; i < 52; ++i) total.push_back(std::string(128 * 1024 - 1, 'x'));
  const std::vector<std::pair<std::string, json>> cases = {
      {"long_arg", {"true", std::string(128 * 1024, 'x')}},
      {"long_total", total},
  };
  std::int64_t id = 0;
  for (const auto& [name, argv] : cases) {
    auto spawned = raw.call(++id, "spawn", {{"job", {{"name", name}, {"argv", argv}}}}, 20s);
    REQUIRE_MESSAGE(reply_ok(spawned), name, ": ", spawned.value_or(json()).dump().substr(0, 300));
    auto waited = raw.call(++id, "wait", {{"paths", {"/" + name}}}, 20s);
    REQUIRE(reply_ok(waited));
    const json node = (*waited)["result"]["nodes"][0];
    CHECK(node["outcome"] == "failed");
    CHECK_MESSAGE(contains(node.dump(), "Argument list too long"), name, ": ", node.dump().substr(0, 500));
  }
  CHECK(reply_ok(raw.call(++id, "ping")));
  check_live_job_untouched(d, job);
}
