#include "daemon/server/journal_records.hpp"

#include <algorithm>

#include "common/node_path.hpp"

namespace traio::journal {

using json = nlohmann::json;

namespace {

json optional_int(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

std::optional<int> read_optional_int(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

std::optional<WallTime> read_optional_time(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return from_ms(it->get<std::int64_t>());
}

std::optional<JobKind> kind_from_string(const std::string& text) {
  for (JobKind kind : {JobKind::Process, JobKind::Sleep, JobKind::WaitTcp, JobKind::WaitFile})
    if (to_string(kind) == text) return kind;
  return std::nullopt;
}

// Depth bound of a cause chain read back: a corrupt journal must not recurse without end.
constexpr int kMaxCauseDepth = 256;

std::shared_ptr<const Cause> cause_from_json_at(const json& j, int depth) {
  if (!j.is_object() || depth > kMaxCauseDepth) return nullptr;
  auto cause = std::make_shared<Cause>();
  cause->path = j.value("path", std::string());
  cause->outcome = outcome_from_string(j.value("outcome", std::string())).value_or(Outcome::None);
  cause->message = j.value("message", std::string());
  cause->exit_code = read_optional_int(j, "exit_code");
  cause->signal = read_optional_int(j, "signal");
  if (auto next = j.find("cause"); next != j.end()) cause->next = cause_from_json_at(*next, depth + 1);
  return cause;
}

}  // namespace

std::int64_t to_ms(WallTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

WallTime from_ms(std::int64_t ms) { return WallTime(std::chrono::milliseconds(ms)); }

json run_record(const RunRecord& run, WallTime at) {
  return json{{"j", "run"}, {"v", kFormatVersion}, {"pid", run.pid}, {"pid_start", run.pid_start},
              {"boot", run.boot}, {"at", to_ms(at)}};
}

json node_record(const Node& node) {
  json j{{"j", "node"},
         {"id", node.id},
         {"parent", node.parent},
         {"type", std::string(to_string(node.type))},
         {"name", node.name},
         {"owner", node.owner_uid},
         {"flags", {{"master", node.flags.master}, {"bubble", node.flags.bubble}, {"awaited", node.flags.awaited}}},
         {"created", to_ms(node.created_at)}};
  if (!node.is_scope()) j["kind"] = std::string(to_string(node.job ? node.job->kind : JobKind::Process));
  if (!node.source.is_null()) j["spec"] = node.source.json();
  return j;
}

json start_record(NodeId id, const StartRecord& start) {
  return json{{"j", "start"}, {"id", id}, {"pid", optional_int(start.pid)}, {"start_time", start.start_time},
              {"cgroup", start.cgroup}, {"at", to_ms(start.at)}};
}

json end_record(const Node& node) {
  return json{{"j", "end"},
              {"id", node.id},
              {"outcome", std::string(to_string(node.outcome))},
              {"reason", node.reason},
              {"exit_code", optional_int(node.run.exit_code)},
              {"signal", optional_int(node.run.signal)},
              {"pid", optional_int(node.run.pid)},
              {"restarts", node.restart.restarts},
              {"started", node.started_at ? json(to_ms(*node.started_at)) : json(nullptr)},
              {"ended", node.ended_at ? json(to_ms(*node.ended_at)) : json(nullptr)},
              {"cause", cause_to_json(node.cause.get())}};
}

json cause_to_json(const Cause* cause) {
  if (cause == nullptr) return nullptr;
  return json{{"path", cause->path},
              {"outcome", std::string(to_string(cause->outcome))},
              {"message", cause->message},
              {"exit_code", optional_int(cause->exit_code)},
              {"signal", optional_int(cause->signal)},
              {"cause", cause_to_json(cause->next.get())}};
}

std::shared_ptr<const Cause> cause_from_json(const json& j) { return cause_from_json_at(j, 0); }

std::optional<RunRecord> read_run(const json& j) {
  if (j.value("v", 0) != kFormatVersion) return std::nullopt;
  RunRecord run;
  run.pid = j.value("pid", 0);
  run.pid_start = j.value("pid_start", std::uint64_t{0});
  run.boot = j.value("boot", std::string());
  return run;
}

std::optional<StartRecord> read_start(const json& j) {
  StartRecord start;
  start.pid = read_optional_int(j, "pid");
  start.start_time = j.value("start_time", std::uint64_t{0});
  start.cgroup = j.value("cgroup", std::string());
  start.at = read_optional_time(j, "at").value_or(WallTime{});
  return start;
}

std::optional<RestoredNode> read_node(const json& j) {
  RestoredNode node;
  const auto type = node_type_from_string(j.value("type", std::string()));
  const std::string name = j.value("name", std::string());
  if (!type || !is_valid_name(name)) return std::nullopt;  // a forged "..": no path outside the tree
  node.type = *type;
  node.name = name;
  if (*type == NodeType::Job) node.kind = kind_from_string(j.value("kind", std::string())).value_or(JobKind::Process);
  node.owner = j.value("owner", Uid{0});
  if (auto flags = j.find("flags"); flags != j.end() && flags->is_object()) {
    node.flags.master = flags->value("master", false);
    node.flags.bubble = flags->value("bubble", true);
    node.flags.awaited = flags->value("awaited", true);
  }
  node.created_at = read_optional_time(j, "created").value_or(WallTime{});
  if (auto spec = j.find("spec"); spec != j.end()) node.source = *spec;
  node.outcome = Outcome::Lost;
  return node;
}

bool apply_end(const json& j, RestoredNode& node) {
  const auto outcome = outcome_from_string(j.value("outcome", std::string()));
  if (!outcome || *outcome == Outcome::None) return false;
  node.outcome = *outcome;
  node.reason = j.value("reason", std::string());
  node.exit_code = read_optional_int(j, "exit_code");
  node.signal = read_optional_int(j, "signal");
  node.pid = read_optional_int(j, "pid");
  node.restarts = j.value("restarts", 0u);
  node.started_at = read_optional_time(j, "started");
  node.ended_at = read_optional_time(j, "ended");
  if (auto cause = j.find("cause"); cause != j.end()) node.cause = cause_from_json(*cause);
  return true;
}

}  // namespace traio::journal
