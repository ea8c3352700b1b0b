#pragma once
// What users submit (SPEC §2): jobs and scopes ("trees"), parsed and validated into plain
// structs. Defaults are filled in here so that every later layer sees complete values.
#include <csignal>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/duration.hpp"
#include "config/parse_error.hpp"

namespace traio {

enum class JobKind { Process, Sleep, WaitTcp, WaitFile };
enum class OutputMode { Capture, Inherit, Null, File };
enum class FileMode { Truncate, Append };

std::string_view to_string(JobKind kind);
std::string_view to_string(OutputMode mode);

// SPEC rule 11. `no`: the job ends with its first run; `on-failure`: a run that fails
// (exit code not in success_exit_codes, a signal traiod did not send, cannot start) is
// restarted; `always`: every run that ends on its own is restarted.
enum class RestartPolicy { No, OnFailure, Always };
std::string_view to_string(RestartPolicy policy);
std::optional<RestartPolicy> restart_policy_from_string(std::string_view text);

// When a dependency (`after`) lets a node start (SPEC §2).
enum class AfterWhen { Started, Ready, Succeeded, Done, Failed };
std::string_view to_string(AfterWhen when);
std::optional<AfterWhen> after_when_from_string(std::string_view text);

// The flags of traio (SPEC §1 rules 3-5). Plain bools: they are the JSON's own fields.
struct NodeFlags {
  bool master = false;
  bool bubble = true;
  bool awaited = true;
  // SPEC §6 `"on": "cleanup"`: starts when its scope begins to end, shielded from that end.
  bool cleanup = false;
};

struct OutputSpec {
  OutputMode mode = OutputMode::Capture;
  std::string file;                    // mode File: an absolute path
  FileMode file_mode = FileMode::Append;
};

struct StopSpec {
  std::optional<int> signal;       // nullopt: the daemon's default (config defaults.stop)
  std::optional<Duration> grace;   // nullopt: the daemon's default
};

struct BackoffSpec {
  std::optional<Duration> initial;  // nullopt: the daemon's default (defaults.restart.backoff)
  std::optional<Duration> max;      // nullopt: the daemon's default
};

struct RestartSpec {
  RestartPolicy policy = RestartPolicy::No;
  // Restarts allowed within `window`; one more is a restart storm: the job gives up and
  // fails (rule 11). nullopt: no limit.
  std::optional<unsigned> max;
  Duration window = std::chrono::minutes(1);
  BackoffSpec backoff;
};

// `ready` (SPEC §2): what makes a running process ready. Exactly one probe is set.
struct ReadySpec {
  enum class Probe { None, Tcp, File, Exec, Http, Log, Notify };
  Probe probe = Probe::None;
  std::string address;            // Tcp: "host:port"
  std::string path;               // File: an absolute path
  std::vector<std::string> argv;  // Exec: exit 0 means ready; run every `interval` until then
  std::string url;                // Http: "http://127.0.0.1:8080/health" (config/http_url.hpp); 2xx means ready
  std::string pattern;            // Log: an extended regex (config/line_pattern.hpp) a line of output matches
  Duration interval = std::chrono::milliseconds(250);  // between attempts (tcp, exec, http)
  std::optional<Duration> timeout;  // not ready that long after the start: the job fails
};

// SPEC §6 `health`: what a process that is ready keeps proving. Every `interval` (counted
// from the end of the previous check) its probe gets `timeout` to pass; `failures` checks
// failing in a row make it unhealthy, and `action` says what then happens: restart (stop it
// and run it again, a restart as rule 11 counts them) or fail (the job fails, as a readiness
// timeout does). Only probes that can be asked again are taken: wait_tcp, wait_file, exec,
// http (log and notify are events, not questions).
enum class HealthAction { Restart, Fail };
std::string_view to_string(HealthAction action);

struct HealthSpec {
  ReadySpec check;  // the probe; check.timeout and check.interval are the per-check timeout
  Duration interval = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(2);
  unsigned failures = 3;
  HealthAction action = HealthAction::Restart;
};

// SPEC §6 supervision strategy (OTP): which siblings restart with a child that restarts.
// one_for_one: only that child; one_for_all: every child with a restart policy;
// rest_for_one: it and those with a restart policy submitted after it.
enum class SuperviseStrategy { OneForOne, OneForAll, RestForOne };
std::string_view to_string(SuperviseStrategy strategy);
std::optional<SuperviseStrategy> supervise_strategy_from_string(std::string_view text);

// More than `intensity` restarts of the scope's children within `period` fail the scope.
struct SuperviseSpec {
  SuperviseStrategy strategy = SuperviseStrategy::OneForOne;
  unsigned intensity = 5;
  Duration period = std::chrono::minutes(1);
};

// SPEC §6: how a scope stops its children. parallel: all at once (rule 7); reverse:
// dependents before what they depend on (`after`), non-awaited children last.
enum class StopOrder { Parallel, Reverse };

// SPEC §6 `limits`: what a job, or a scope's whole subtree, may take, applied through the
// cgroup v2 controllers memory (memory.max), cpu (cpu.max) and pids (pids.max). Each is
// optional; an object with none set is refused by the parser.
struct LimitsSpec {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<std::uint32_t> cpu_percent;  // "150%": one and a half CPUs
  std::optional<std::uint64_t> pids;
};

// One entry of `after`: a sibling's name and the condition on it.
struct AfterSpec {
  std::string name;
  AfterWhen when = AfterWhen::Ready;
};

struct JobSpec {
  std::string name;  // empty: the daemon generates one ("job-17")
  JobKind kind = JobKind::Process;
  NodeFlags flags;
  std::optional<Duration> timeout;
  std::vector<AfterSpec> after;
  int priority = 0;  // SPEC §6: in a scope with max_parallel, higher starts first
  std::optional<Duration> delay;  // SPEC §6 "Re-run": the first start waits this long
  RestartSpec restart;  // every kind may restart; for async jobs only `always` makes sense
  // process
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string cwd;  // empty: the daemon's working directory (traioctl always fills it)
  StopSpec stop;
  OutputSpec output;
  std::vector<int> success_exit_codes{0};
  ReadySpec ready;
  std::optional<HealthSpec> health;  // SPEC §6; nullopt: no checks (and no timers)
  std::optional<LimitsSpec> limits;  // SPEC §6; nullopt: none
  std::string user;   // empty: the daemon's user (or, for a non-root client, the client)
  std::string group;  // empty: the user's primary group
  // sleep
  Duration duration{0};
  // wait_tcp: connect to `address` every `interval`; wait_file: `path` exists (inotify)
  std::string address;
  std::string path;
  Duration interval = std::chrono::milliseconds(250);
  // Not a JSON field: `spawn --inherit-env` sends the caller's environment as the base
  // instead of the clean one (SPEC §2). nullopt: the clean base.
  std::optional<std::map<std::string, std::string>> base_env;
};

struct NodeSpec;

struct ScopeSpec {
  std::string name;
  NodeFlags flags;
  std::optional<Duration> timeout;
  std::vector<AfterSpec> after;
  int priority = 0;  // SPEC §6: in a scope with max_parallel, higher starts first
  std::optional<Duration> delay;  // SPEC §6 "Re-run": its children start this much later
  // SPEC §6 concurrency limit: at most this many children run at once (a sub-scope counts
  // as one); the others are queued. nullopt: no limit.
  std::optional<std::size_t> max_parallel;
  std::optional<SuperviseSpec> supervise;  // SPEC §6; nullopt: children restart on their own
  StopOrder stop_order = StopOrder::Parallel;
  std::optional<LimitsSpec> limits;  // SPEC §6: caps the whole subtree; nullopt: none
  bool finalize = true;  // trees from files are finalized once their children are submitted
  std::vector<NodeSpec> children;
};

struct NodeSpec {
  std::variant<JobSpec, ScopeSpec> node;
  // The JSON this node was parsed from, kept for `inspect`. A scope's source leaves out
  // "children" (each child keeps its own), so a tree is stored once, not once per level.
  nlohmann::json source;

  bool is_scope() const { return node.index() == 1; }
  const std::string& name() const;
  const NodeFlags& flags() const;
  const std::vector<AfterSpec>& after() const;
  int priority() const;
  std::optional<Duration> delay() const;
};

// Where parsing starts: a job file may not hold children; a tree file is a scope or a job.
enum class SpecKind { Job, Tree };

// Parses a job (SpecKind::Job) or a tree (a node with "children", or a job). Collects every
// error rather than stopping at the first. Unknown fields, wrong types, out-of-range values,
// fields not supported yet, and, inside a tree,
// `after` names that are not siblings or that form a cycle are errors.
std::variant<NodeSpec, ParseErrors> parse_node_spec(const nlohmann::json& json, SpecKind kind);

// The JSON form of a spec with every default filled in (for `inspect` and the journal); it
// parses back to the same spec. `restart` is written only when a policy other than "no" is
// set, `ready`, `health`, `after`, `user` and `group` only when given.
nlohmann::json to_json(const JobSpec& spec);

}  // namespace traio
