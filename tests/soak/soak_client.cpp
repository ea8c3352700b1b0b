#include "tests/soak/soak_client.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace traio::soak {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxLive = 4;  // submissions a client keeps running at once
constexpr Millis kReplyLimit(30000);

std::string absolute(const std::string& relative) { return "/" + relative; }

void pause_ms(int ms) { std::this_thread::sleep_for(Millis(ms)); }

}  // namespace

Client::Client(std::string tag, std::string socket, std::uint64_t seed, bool setsid, Ledger& ledger,
               const EventRecorder& events)
    : tag_(std::move(tag)), socket_(std::move(socket)), work_(seed), ledger_(ledger), events_(events) {
  work_.allow_setsid(setsid);
}

std::string Client::next_name(char kind) { return tag_ + kind + std::to_string(++counter_); }

void Client::reconnect() {
  std::string why;
  auto c = Connection::open(socket_, &why);
  if (!c) {
    ledger_.fail("client " + tag_ + ": cannot connect: " + why);
    pause_ms(200);
    return;
  }
  conn_ = std::move(*c);
}

CallResult Client::request(const std::string& op, const json& args, std::initializer_list<const char*> expected) {
  ++ledger_.counts.requests;
  if (!conn_.is_open()) reconnect();
  CallResult r = conn_.call(op, args, kReplyLimit);
  const std::string what = "client " + tag_ + ": " + op + " " + args.dump().substr(0, 300) + ": ";
  switch (r.status) {
    case CallResult::Status::Ok: break;
    case CallResult::Status::DaemonError:
      if (std::none_of(expected.begin(), expected.end(), [&](const char* code) { return r.error_code == code; }))
        ledger_.fail(what + r.describe());
      break;
    case CallResult::Status::Lost:
    case CallResult::Status::TimedOut:
      ledger_.fail(what + r.describe());
      conn_.close();
      break;
  }
  return r;
}

void Client::record(Submission s, long nodes) {
  ledger_.counts.nodes_submitted += nodes;
  live_.push_back(std::move(s));
}

Submission* Client::random_live_submission() {
  if (live_.empty()) return nullptr;
  return &live_[static_cast<std::size_t>(work_.between(0, static_cast<int>(live_.size()) - 1))];
}

void Client::run(const std::atomic<bool>& stop) {
  try {
    reconnect();
    while (!stop) {
      act_once();
      verify_ended(3);
      if (live_.size() >= kMaxLive) {
        // Open scopes end only when finalized: make room by finalizing the oldest.
        for (const auto& scope : live_.front().open_scopes) {
          if (request("finalize", {{"path", scope}}, {"not_found"}).ok()) ++ledger_.counts.finalizes;
        }
        live_.front().open_scopes.clear();
        pause_ms(50);
      } else {
        pause_ms(work_.between(0, 80));
      }
    }
  } catch (const std::exception& e) {
    ledger_.fail("client " + tag_ + " stopped on an exception (a malformed reply?): " + e.what());
  }
}

void Client::act_once() {
  const int dice = work_.between(0, 99);
  if (dice < 33) return submit_tree();
  if (dice < 43) return spawn_job_under_root();
  if (dice < 50) return fork_open_scope();
  if (dice < 57) return feed_or_finalize_open_scope();
  if (dice < 67) return cancel_something();
  if (dice < 71) return set_timeout_of_something();
  if (dice < 76) return signal_something();
  if (dice < 83) return drop_a_stream();
  if (dice < 86) return cut_a_request();
  if (dice < 89) return drop_own_connection();
  return read_something();
}

void Client::submit_tree() {
  const std::string name = next_name('t');
  Plan plan = work_.tree(name);
  CallResult r = request("submit", {{"scope", "/"}, {"tree", plan.spec}});
  if (!r.ok()) return;
  if (r.result.value("path", "") != absolute(name))
    ledger_.fail("submit of " + name + " answered path " + r.result.dump());
  ++ledger_.counts.trees;
  Submission s{absolute(name), {}, {}, {}};
  for (const auto& n : plan.nodes) s.nodes.push_back(absolute(n));
  for (const auto& n : plan.process_jobs) s.process_jobs.push_back(absolute(n));
  const long count = static_cast<long>(s.nodes.size());
  record(std::move(s), count);
}

void Client::spawn_job_under_root() {
  const std::string name = next_name('j');
  Plan plan = work_.job(name, true);
  CallResult r = request("spawn", {{"scope", "/"}, {"job", plan.spec}});
  if (!r.ok()) return;
  if (r.result.value("path", "") != absolute(name))
    ledger_.fail("spawn of " + name + " answered path " + r.result.dump());
  ++ledger_.counts.jobs;
  Submission s{absolute(name), {absolute(name)}, {}, {}};
  if (!plan.process_jobs.empty()) s.process_jobs.push_back(absolute(name));
  record(std::move(s), 1);
}

void Client::fork_open_scope() {
  const std::string name = next_name('f');
  json args = {{"scope", "/"}, {"name", name}};
  if (work_.chance(0.3)) args["timeout"] = work_.millis(300, 8000);
  CallResult r = request("fork", args);
  if (!r.ok()) return;
  ++ledger_.counts.forks;
  Submission s{absolute(name), {absolute(name)}, {}, {absolute(name)}};
  long nodes = 1;
  // Jobs spawned into it one by one, maybe a nested fork with jobs of its own.
  std::vector<std::string> scopes = {absolute(name)};
  if (work_.chance(0.3)) {
    const std::string inner = next_name('f');
    json inner_args = {{"scope", absolute(name)}, {"name", inner}};
    if (work_.chance(0.5)) inner_args["bubble"] = work_.chance(0.5);
    if (work_.chance(0.2)) inner_args["master"] = true;
    if (work_.chance(0.2)) inner_args["awaited"] = false;
    if (work_.chance(0.3)) inner_args["timeout"] = work_.millis(300, 5000);
    if (request("fork", inner_args, {"scope_closed"}).ok()) {
      const std::string path = absolute(name) + "/" + inner;
      s.nodes.push_back(path);
      s.open_scopes.push_back(path);
      scopes.push_back(path);
      ++nodes;
    }
  }
  const int jobs = work_.between(1, 3);
  for (int i = 0; i < jobs; ++i) {
    const std::string scope = work_.pick(scopes);
    const std::string job = next_name('j');
    Plan plan = work_.job(job, true);
    CallResult spawned = request("spawn", {{"scope", scope}, {"job", plan.spec}}, {"scope_closed"});
    if (!spawned.ok()) {
      ++ledger_.counts.spawns_refused_closed;
      continue;
    }
    s.nodes.push_back(scope + "/" + job);
    if (!plan.process_jobs.empty()) s.process_jobs.push_back(scope + "/" + job);
    ++nodes;
  }
  record(std::move(s), nodes);
}

void Client::feed_or_finalize_open_scope() {
  std::vector<Submission*> open;
  for (auto& s : live_)
    if (!s.open_scopes.empty()) open.push_back(&s);
  if (open.empty()) return fork_open_scope();
  Submission& s = *work_.pick(open);
  const std::size_t which = static_cast<std::size_t>(work_.between(0, static_cast<int>(s.open_scopes.size()) - 1));
  const std::string scope = s.open_scopes[which];
  if (work_.chance(0.5)) {
    // rule 9: a scope that ended meanwhile (timeout, master, failure) refuses new children.
    const std::string job = next_name('j');
    Plan plan = work_.job(job, true);
    CallResult spawned = request("spawn", {{"scope", scope}, {"job", plan.spec}}, {"scope_closed", "not_found"});
    if (!spawned.ok()) {
      ++ledger_.counts.spawns_refused_closed;
      return;
    }
    s.nodes.push_back(scope + "/" + job);
    if (!plan.process_jobs.empty()) s.process_jobs.push_back(scope + "/" + job);
    ++ledger_.counts.nodes_submitted;
    return;
  }
  if (request("finalize", {{"path", scope}}, {"not_found"}).ok()) ++ledger_.counts.finalizes;
  s.open_scopes.erase(s.open_scopes.begin() + static_cast<long>(which));
}

void Client::cancel_something() {
  Submission* s = random_live_submission();
  if (s == nullptr) return submit_tree();
  const std::string path = work_.chance(0.3) ? s->root : work_.pick(s->nodes);
  json args = {{"path", path}};
  if (work_.chance(0.5)) args["reason"] = "soak: cancelled by client " + tag_;
  // not_found: a node of a scope that never left `pending` was never created.
  if (!request("cancel", args, {"not_found"}).ok()) return;
  ++ledger_.counts.cancels;
  // rule 7: cancelling a node that is already cancelling changes nothing and succeeds.
  if (work_.chance(0.3) && request("cancel", {{"path", path}}, {"not_found"}).ok()) ++ledger_.counts.repeated_cancels;
}

void Client::set_timeout_of_something() {
  Submission* s = random_live_submission();
  if (s == nullptr) return submit_tree();
  const std::string path = work_.pick(s->nodes);
  // A duration only: `none` could leave a job that never ends by itself without a bound.
  if (request("timeout", {{"path", path}, {"timeout", work_.millis(100, 5000)}}, {"not_found", "scope_closed"}).ok())
    ++ledger_.counts.timeouts_set;
}

void Client::signal_something() {
  Submission* s = random_live_submission();
  if (s == nullptr || s->process_jobs.empty()) return read_something();
  const std::string path = work_.pick(s->process_jobs);
  const std::string sig = work_.pick<std::string>({"TERM", "KILL", "HUP", "USR1", "INT", "CONT"});
  if (request("signal", {{"path", path}, {"signal", sig}}, {"not_found"}).ok()) ++ledger_.counts.signals;
}

void Client::drop_a_stream() {
  Submission* s = random_live_submission();
  if (s == nullptr) return submit_tree();
  auto c = Connection::open(socket_);
  if (!c) return ledger_.fail("client " + tag_ + ": cannot connect for a stream");
  const int kind = work_.between(0, 2);
  if (kind == 0) c->send("events", {{"path", s->root}, {"follow", true}});
  if (kind == 1 && !s->process_jobs.empty()) c->send("logs", {{"path", work_.pick(s->process_jobs)}, {"follow", true}});
  if (kind == 1 && s->process_jobs.empty()) c->send("logs", {{"path", s->root}, {"follow", true}, {"lines", 5}});
  if (kind == 2) c->send("wait", {{"paths", json::array({s->root})}});
  if (work_.chance(0.3)) c->send("events", {{"follow", true}});  // two streams in flight
  for (int i = work_.between(0, 5); i > 0; --i)
    if (!c->read_line(Millis(work_.between(1, 100)))) break;
  c->close();  // mid-stream: the daemon must drop its side and nothing else
  ++ledger_.counts.streams_dropped;
}

void Client::cut_a_request() {
  auto c = Connection::open(socket_);
  if (!c) return ledger_.fail("client " + tag_ + ": cannot connect to cut a request");
  const int kind = work_.between(0, 2);
  if (kind == 0) {
    c->send_raw(R"({"v": 1, "id": 1, "op": "submit", "args": {"scope": "/", "tree": {"name": "half)");
    ++ledger_.counts.requests_cut;
  } else if (kind == 1) {
    // A line that is no JSON gets bad_json and the connection stays usable (docs/protocol.md).
    c->send_raw("this is not json\n");
    auto reply = c->read_line(kReplyLimit);
    if (!reply || reply->value("ok", true) || (*reply)["error"].value("code", "") != "bad_json")
      ledger_.fail("garbage line: expected a bad_json reply, got " + (reply ? reply->dump() : "nothing"));
    CallResult pong = c->call("ping", json::object(), kReplyLimit);
    if (!pong.ok()) ledger_.fail("ping after a garbage line: " + pong.describe());
    ++ledger_.counts.garbage_lines;
  } else {
    // Nested past limits.depth: limit_exceeded, then the daemon closes this connection only.
    c->send_raw(std::string(100, '[') + std::string(100, ']') + "\n");
    auto reply = c->read_line(kReplyLimit);
    if (!reply || (*reply)["error"].value("code", "") != "limit_exceeded")
      ledger_.fail("deep line: expected limit_exceeded, got " + (reply ? reply->dump() : "nothing"));
    ++ledger_.counts.garbage_lines;
  }
  c->close();
}

void Client::drop_own_connection() {
  if (!conn_.is_open()) return reconnect();
  if (Submission* s = random_live_submission()) conn_.send("wait", {{"paths", json::array({s->root})}});
  conn_.send("ps", {{"path", "/"}, {"brief", true}});
  conn_.close();  // with requests in flight
  ++ledger_.counts.reconnects;
  reconnect();
}

void Client::read_something() {
  ++ledger_.counts.reads;
  Submission* s = random_live_submission();
  const int kind = work_.between(0, 2);
  if (kind == 0 || s == nullptr) {
    (void)request("ps", {{"path", "/"}, {"brief", true}});
  } else if (kind == 1) {
    (void)request("inspect", {{"path", work_.pick(s->nodes)}}, {"not_found"});
  } else if (!s->process_jobs.empty()) {
    (void)request("logs", {{"path", work_.pick(s->process_jobs)}, {"lines", 20}}, {"not_found"});
  }
}

}  // namespace traio::soak
