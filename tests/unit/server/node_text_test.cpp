// ps and inspect write node objects as text (node_text.hpp, json_text.hpp); clients see the
// bytes nlohmann dumped before. Every case compares the writer with the nlohmann path.
#include <doctest/doctest.h>

#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "common/protocol.hpp"
#include "daemon/server/json_text.hpp"
#include "daemon/server/node_text.hpp"
#include "daemon/server/time_format.hpp"

namespace traio {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Strings nlohmann treats specially: escapes, control characters, UTF-8 of each length,
// and invalid UTF-8 (stray continuation bytes, truncated sequences, overlongs, surrogates).
const std::vector<std::string> kOddStrings = {
    "",
    "plain /a/b-c_d.e",
    "quote \" and backslash \\ and slash /",
    std::string("nul \0 inside", 12),
    "\b\f\n\r\t \x01\x1f \x7f",
    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
    "stray \x80 continuation",
    "truncated \xc3",
    "truncated \xe2\x82 in the middle",
    "bad lead \xff\xfe then ascii",
    "overlong \xc0\xaf slash",
    "surrogate \xed\xa0\x80 half",
    "\xc3(",
    "\xe2\x28\xa1",
};

struct Fixture {
  ScopeTree tree;
  Now now{SteadyTime{} + 1000s, WallTime{} + 1764000000s + 123ms};
  Effects out;

  NodeId spawn(NodeId scope, JobSpec spec, json source = nullptr) {
    auto r = tree.spawn(now, scope, std::move(spec), std::move(source), 1000, out);
    REQUIRE(r.ok());
    return *r;
  }
  NodeId fork(NodeId scope, std::string name, std::optional<Duration> timeout = {}) {
    auto r = tree.fork(now, scope, ForkOptions{std::move(name), NodeFlags{}, timeout}, 0, out);
    REQUIRE(r.ok());
    return *r;
  }
  NodeId restore(NodeId parent, std::string name, std::string reason, std::shared_ptr<const Cause> cause) {
    RestoredNode r;
    r.name = std::move(name);
    r.reason = std::move(reason);
    r.cause = std::move(cause);
    r.exit_code = 3;
    r.pid = 4242;
    r.restarts = 2;
    r.created_at = now.wall - 5s;
    r.started_at = now.wall - 4s;
    r.ended_at = now.wall - 1s;
    r.source = json{{"argv", json::array({"a\"b", "c\\d", std::string("\x01\xff")})}, {"env", {{"K", "v\n"}}}};
    auto id = tree.restore(parent, std::move(r), out);
    REQUIRE(id.ok());
    return *id;
  }
  void later(Duration d) {
    now.mono += d;
    now.wall += d;
  }
};

JobSpec job(std::string name, JobKind kind = JobKind::Process) {
  JobSpec spec;
  spec.name = std::move(name);
  spec.kind = kind;
  spec.argv = {"/bin/false"};
  return spec;
}

// A tree with a node in most shapes a node object can take.
void grow_varied_tree(Fixture& f) {
  const NodeId ci = f.fork(kRootId, "ci", 90s);
  const NodeId inner = f.fork(ci, "inner");
  const NodeId ok = f.spawn(ci, job("ok"), json{{"argv", {"/bin/true"}}});
  f.tree.on_job_started(f.now, ok, 101, f.out);
  f.later(250ms);
  f.tree.on_job_exited(f.now, ok, ExitInfo::exited(0), f.out);
  REQUIRE(f.tree.restart(f.now, ok, f.out).ok());  // SPEC §6: generation 2, the first in `generations`
  const NodeId running = f.spawn(inner, job("running"));
  f.tree.on_job_started(f.now, running, 102, f.out);
  f.tree.on_job_signalled(running, 15);
  JobSpec restarting = job("restarting");
  restarting.restart.policy = RestartPolicy::OnFailure;
  restarting.restart.backoff.initial = 2s;
  const NodeId r = f.spawn(inner, restarting);
  f.tree.on_job_started(f.now, r, 103, f.out);
  f.tree.on_job_exited(f.now, r, ExitInfo::signaled(9), f.out);
  JobSpec waiting = job("waiting");
  waiting.after = {AfterSpec{"running", AfterWhen::Started}, AfterSpec{"restarting", AfterWhen::Ready}};
  f.spawn(inner, waiting);
  f.spawn(kRootId, job("nap", JobKind::Sleep));
  const NodeId limited = f.fork(kRootId, "limited");  // SPEC §6: slots and a queue
  REQUIRE(f.tree.set_max_parallel(f.now, limited, 1, f.out).ok());
  f.spawn(limited, job("first"));
  JobSpec urgent = job("urgent");
  urgent.priority = 3;
  f.spawn(limited, urgent);
  f.spawn(limited, job("last"));
  ScopeSpec ordered;  // SPEC §6: supervise, stop order and a cleanup child
  ordered.name = "ordered";
  ordered.finalize = false;
  ordered.stop_order = StopOrder::Reverse;
  ordered.supervise = SuperviseSpec{SuperviseStrategy::RestForOne, 2, 30s};
  JobSpec dump = job("dump");
  dump.flags.cleanup = true;
  ordered.children.push_back(NodeSpec{dump, json{{"on", "cleanup"}}});
  REQUIRE(f.tree.submit(f.now, kRootId, NodeSpec{ordered, json{{"stop_order", "reverse"}}}, 0, f.out).ok());
  JobSpec later = job("later");  // SPEC §6 `delay`: pending, with start_at
  later.delay = 30s;
  f.spawn(kRootId, later);
  const NodeId held = f.fork(kRootId, "held");  // SPEC §6 pause: `paused` on a scope and its job
  const NodeId frozen = f.spawn(held, job("frozen"));
  f.tree.on_job_started(f.now, frozen, 104, f.out);
  REQUIRE(f.tree.pause(f.now, held, true, f.out).ok());
  JobSpec checked = job("checked");  // SPEC §6 `health`: before any check, and after one failed
  checked.health = HealthSpec{};
  checked.health->check.probe = ReadySpec::Probe::Exec;
  checked.health->check.argv = {"check"};
  f.spawn(kRootId, checked);
  checked.name = "checked-once";
  const NodeId once = f.spawn(kRootId, checked);
  f.tree.on_job_started(f.now, once, 105, f.out);
  f.tree.on_health_check(f.now, once, false, kOddStrings[4] + kOddStrings[9], f.out);
  const NodeId odd = f.spawn(kRootId, job("odd"));
  REQUIRE(f.tree.cancel(f.now, odd, kOddStrings[4] + kOddStrings[9], f.out).ok());
  // Restored nodes take any name, reason and cause: the strings of kOddStrings.
  auto deep = std::make_shared<Cause>(Cause{"/x/\xff", Outcome::Failed, "exit \"2\"\n", 2, std::nullopt, nullptr});
  auto chain = std::make_shared<Cause>(Cause{"/x", Outcome::Failed, "via", std::nullopt, 9, deep});
  for (std::size_t i = 0; i < kOddStrings.size(); ++i)
    f.restore(kRootId, fmt::format("r{}{}", i, kOddStrings[i]), kOddStrings[i], i % 2 == 0 ? chain : nullptr);
}

std::string text_of_tree(const Fixture& f, const Node& node, EndedNodes ended, NodeFields fields) {
  std::string out;
  JsonText w(out);
  write_node_tree(w, f.tree, node, ended, fields);
  return out;
}

std::vector<const Node*> every_node(const Fixture& f) {
  std::vector<const Node*> nodes;
  std::vector<const Node*> todo{&f.tree.root()};
  while (!todo.empty()) {
    const Node* n = todo.back();
    todo.pop_back();
    nodes.push_back(n);
    for (NodeId id : n->children)
      if (const Node* child = f.tree.find(id)) todo.push_back(child);
  }
  return nodes;
}

std::string old_rfc3339(WallTime time) {  // what time_format.cpp wrote before, through gmtime_r
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  auto secs = ms / 1000;
  auto frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

}  // namespace

TEST_CASE("json text: strings are escaped exactly as nlohmann dumps them -- quotes, control characters, UTF-8, invalid bytes") {
  for (const std::string& s : kOddStrings) {
    CAPTURE(s);
    std::string out;
    append_json_string(out, s);
    CHECK(out == dump(json(s)));
  }
}

TEST_CASE("json text: objects, arrays, numbers, booleans, null and embedded values have nlohmann's bytes") {
  std::string out;
  JsonText w(out);
  w.begin_object();
  w.key("a");
  w.begin_array();
  w.integer(-7);
  w.integer(INT64_MAX);
  w.boolean(true);
  w.null();
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.string("s");
  w.end_array();
  w.key("b");
  w.json(json{{"z", 1.5}, {"y", {1, 2}}});
  w.key("c");
  w.time(WallTime{} + 1764000000123ms);
  w.end_object();
  const json expected = {{"a", {-7, INT64_MAX, true, nullptr, json::object(), json::array(), "s"}},
                         {"b", {{"z", 1.5}, {"y", {1, 2}}}},
                         {"c", "2025-11-24T16:00:00.123Z"}};
  CHECK(out == dump(expected));
}

TEST_CASE("node text: ps of a varied tree has the bytes of node_tree_json's dump -- full and brief, live and all") {
  Fixture f;
  grow_varied_tree(f);
  for (const Node* node : every_node(f)) {
    CAPTURE(node->path);
    for (EndedNodes ended : {EndedNodes::Hide, EndedNodes::Show}) {
      for (NodeFields fields : {NodeFields::All, NodeFields::Brief}) {
        CHECK(text_of_tree(f, *node, ended, fields) == dump(node_tree_json(f.tree, *node, ended, fields)));
      }
    }
  }
}

TEST_CASE("node text: inspect of every node has the bytes of node_json's dump, spec included") {
  Fixture f;
  grow_varied_tree(f);
  for (const Node* node : every_node(f)) {
    CAPTURE(node->path);
    for (SpecField spec : {SpecField::Include, SpecField::Omit}) {
      std::string out;
      JsonText w(out);
      write_node(w, f.tree, *node, spec);
      CHECK(out == dump(node_json(f.tree, *node, spec)));
    }
  }
}

TEST_CASE("time format: RFC 3339 text is what gmtime gave -- before 1970, leap days, millisecond and year edges") {
  std::vector<WallTime> times = {WallTime{}, WallTime{} - 1ms, WallTime{} - 86400001ms, WallTime{} + 951782400000ms,
                                 WallTime{} + 951868799999ms, WallTime{} + 4102444799999ms,
                                 // the ends of a nanosecond system_clock (1677 and 2262): past them
                                 // the time itself would overflow
                                 WallTime{} + 9223372036854ms, WallTime{} - 9223372036854ms};
  for (long long step = -3000000000000; step < 8000000000000; step += 7777777777) times.push_back(WallTime{} + std::chrono::milliseconds(step));
  for (WallTime t : times) {
    CAPTURE(t.time_since_epoch().count());
    CHECK(format_rfc3339(t) == old_rfc3339(t));
  }
}

TEST_CASE("protocol: an ok reply is encode_ok_head, the result's dump and the tail") {
  const json result = {{"node", {{"path", "/"}, {"name", "caf\xc3\xa9\xff"}}}};
  for (std::int64_t id : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-5}, INT64_MAX}) {
    CHECK(encode_ok(id, result) == encode_ok_head(id) + dump(result) + std::string(kOkReplyTail));
    CHECK(encode_ok(id, result) == dump(json{{"id", id}, {"ok", true}, {"result", result}}) + "\n");
  }
}

}  // namespace traio
