// libFuzzer target: the bytes a client writes on its connection to traiod (SPEC §5).
//
// The path they take: the line framing of session.cpp (request_line_text; a line longer
// than limits.request_bytes is refused and ends the connection), the limits, JSON and
// envelope of dispatch.cpp (decode_request_line), then the op's args, read with the
// daemon's own readers (op_args.cpp, parse_node_spec) and applied to a real ScopeTree,
// the pure core the supervisor drives. What needs a live daemon (processes, the journal,
// the socket, peer credentials) is left out; the arg reading below follows ops_*.cpp key
// for key, and must follow them when they change.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <fmt/format.h>

#include "common/node_path.hpp"
#include "common/request_line.hpp"
#include "common/signal_name.hpp"
#include "config/daemon_config.hpp"
#include "config/node_spec.hpp"
#include "daemon/core/scope_tree.hpp"
#include "daemon/server/node_json.hpp"
#include "daemon/server/op_args.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace traio;
using nlohmann::json;

namespace {

using OpResult = Expected<json>;

// Small limits (each within what the config accepts), so that inputs of a few KiB reach them.
DaemonConfig::Limits fuzz_limits() {
  DaemonConfig::Limits limits;
  limits.request_bytes = 4096;
  limits.depth = 16;
  return limits;
}

// One connection's daemon: a tree holding a scope /ci with a job and a sleep, so that
// paths in requests have something to resolve to.
struct Daemon {
  ScopeTree tree{TreeLimits{.history = 16, .max_nodes = 256, .max_depth = 16}};
  Now now{SteadyTime(std::chrono::hours(1)), WallTime(std::chrono::hours(24 * 365 * 50))};
  Effects effects;
  Uid peer = 1000;

  Daemon() {
    static const auto seed = parse_node_spec(json::parse(R"({"name": "ci", "finalize": false, "children": [
        {"name": "unit", "argv": ["make", "unit"]},
        {"name": "nap", "kind": "sleep", "duration": "1s", "after": ["unit"]}]})"),
                                             SpecKind::Tree);
    FUZZ_CHECK(tree.submit(now, kRootId, std::get<NodeSpec>(seed), peer, effects).ok(), "seed tree");
    effects.clear();
  }
};

// --- the args of each op, as ops_*.cpp read them -------------------------------------

Expected<int> signal_arg(const json& args) {  // ops_signal
  auto it = args.find("signal");
  if (it == args.end()) return invalid_request("signal: missing (a name such as TERM, or a number)");
  Expected<int> signo = Error{};
  if (it->is_string()) signo = parse_signal(it->get<std::string>());
  else if (it->is_number_integer()) signo = signal_from_number(it->get<long long>());
  else return invalid_request("signal: expected a signal name or number");
  if (!signo) return invalid_request(fmt::format("signal: {}", signo.error().message));
  return signo;
}

// The new node resolves by its path (ops reply with it) until it is forgotten.
OpResult created(Daemon& d, const Expected<NodeId>& id) {
  if (!id) return id.error();
  const Node* node = d.tree.find(*id);
  if (node == nullptr) return json{{"path", ""}};
  FUZZ_CHECK(split_path(node->path).ok(), node->path);
  FUZZ_CHECK(d.tree.resolve(node->path) == *id, node->path);
  return json{{"path", node->path}};
}

OpResult spawn(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"scope", "job", "base_env"}); !ok) return ok.error();
  auto scope = node_arg(d.tree, args, "scope", "/");
  if (!scope) return scope.error();
  auto spec = spec_arg(args, "job", SpecKind::Job);
  if (!spec) return spec.error();
  auto* job = std::get_if<JobSpec>(&spec->node);
  if (job == nullptr) return invalid_request("job: expected a job, not a tree");
  auto base_env = base_env_arg(args);
  if (!base_env) return base_env.error();
  job->base_env = std::move(*base_env);
  return created(d, d.tree.spawn(d.now, *scope, std::move(*job), std::move(spec->source), d.peer, d.effects));
}

OpResult fork(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"scope", "name", "timeout", "master", "bubble", "awaited", "max_parallel"});
      !ok)
    return ok.error();
  auto scope = node_arg(d.tree, args, "scope", "/");
  if (!scope) return scope.error();
  auto options = fork_options_arg(args);
  if (!options) return options.error();
  return created(d, d.tree.fork(d.now, *scope, std::move(*options), d.peer, d.effects));
}

OpResult submit(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"scope", "tree"}); !ok) return ok.error();
  auto scope = node_arg(d.tree, args, "scope", "/");
  if (!scope) return scope.error();
  auto spec = spec_arg(args, "tree", SpecKind::Tree);
  if (!spec) return spec.error();
  return created(d, d.tree.submit(d.now, *scope, *spec, d.peer, d.effects));
}

OpResult status_result(const Status& done) {
  if (!done) return done.error();
  return json::object();
}

OpResult finalize(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"path"}); !ok) return ok.error();
  auto id = node_arg(d.tree, args, "path", std::nullopt);
  if (!id) return id.error();
  return status_result(d.tree.finalize(d.now, *id, d.effects));
}

OpResult cancel(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"path", "reason"}); !ok) return ok.error();
  auto id = node_arg(d.tree, args, "path", std::nullopt);
  if (!id) return id.error();
  auto reason = string_arg(args, "reason", "cancelled by request");
  if (!reason) return reason.error();
  return status_result(d.tree.cancel(d.now, *id, std::move(*reason), d.effects));
}

OpResult timeout(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"path", "timeout"}); !ok) return ok.error();
  if (!args.contains("timeout")) return invalid_request("timeout: missing (a duration, or null for none)");
  auto id = node_arg(d.tree, args, "path", std::nullopt);
  if (!id) return id.error();
  auto timeout = duration_arg(args, "timeout");
  if (!timeout) return timeout.error();
  if (auto done = d.tree.set_timeout(d.now, *id, *timeout, d.effects); !done) return done.error();
  const Node* node = d.tree.find(*id);
  if (node != nullptr) (void)effective_deadline(d.tree, *node);
  return json::object();
}

OpResult limit(Daemon& d, const json& args) {  // ops_limit.cpp
  if (auto ok = check_arg_keys(args, {"path", "max_parallel"}); !ok) return ok.error();
  if (!args.contains("max_parallel")) return invalid_request("max_parallel: missing");
  auto id = node_arg(d.tree, args, "path", std::nullopt);
  if (!id) return id.error();
  auto max_parallel = max_parallel_arg(args);
  if (!max_parallel) return max_parallel.error();
  if (auto done = d.tree.set_max_parallel(d.now, *id, *max_parallel, d.effects); !done) return done.error();
  return json::object();
}

OpResult ps(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"path", "all", "brief"}); !ok) return ok.error();
  auto id = node_arg(d.tree, args, "path", "/");
  if (!id) return id.error();
  auto all = bool_arg(args, "all", false);
  if (!all) return all.error();
  auto brief = bool_arg(args, "brief", false);
  if (!brief) return brief.error();
  const Node* node = d.tree.find(*id);
  if (node == nullptr) return Error{ErrorCode::NotFound, "node was forgotten"};
  return json{{"node", node_tree_json(d.tree, *node, *all ? EndedNodes::Show : EndedNodes::Hide,
                                      *brief ? NodeFields::Brief : NodeFields::All)}};
}

OpResult inspect(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"path"}); !ok) return ok.error();
  auto id = node_arg(d.tree, args, "path", std::nullopt);
  if (!id) return id.error();
  const Node* node = d.tree.find(*id);
  if (node == nullptr) return Error{ErrorCode::NotFound, "node was forgotten"};
  return json{{"node", node_json(d.tree, *node, SpecField::Include)}};
}

OpResult logs(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"path", "lines", "stream", "follow"}); !ok) return ok.error();
  auto id = node_arg(d.tree, args, "path", std::nullopt);
  if (!id) return id.error();
  auto lines = count_arg(args, "lines");
  if (!lines) return lines.error();
  if (auto it = args.find("stream"); it != args.end() && !it->is_null()) {  // ops_logs stream_arg
    if (!it->is_string() || (*it != "out" && *it != "err")) return invalid_request("stream: expected \"out\" or \"err\"");
  }
  auto follow = bool_arg(args, "follow", false);
  if (!follow) return follow.error();
  return json{{"lines", json::array()}};
}

OpResult wait(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"paths", "timeout", "claim"}); !ok) return ok.error();
  auto it = args.find("paths");  // ops_wait targets_arg
  if (it == args.end() || !it->is_array() || it->empty())
    return invalid_request("paths: expected a non-empty array of paths");
  std::vector<NodeId> targets;
  for (const json& p : *it) {
    if (!p.is_string()) return invalid_request("paths: expected a non-empty array of paths");
    auto id = resolve_node(d.tree, p.get_ref<const std::string&>());
    if (!id) return id.error();
    targets.push_back(*id);
  }
  auto timeout = duration_arg(args, "timeout");
  if (!timeout) return timeout.error();
  auto claim = bool_arg(args, "claim", false);
  if (!claim) return claim.error();
  if (*claim)
    for (NodeId id : targets) d.tree.claim(id);
  return json::object();
}

OpResult events(const json& args) {
  if (auto ok = check_arg_keys(args, {"path", "follow"}); !ok) return ok.error();
  auto filter = string_arg(args, "path", "/");
  if (!filter) return filter.error();
  if (auto parts = split_path(*filter); !parts)
    return invalid_request(fmt::format("path {}: {}", *filter, parts.error().message));
  auto follow = bool_arg(args, "follow", false);
  if (!follow) return follow.error();
  return json::object();
}

OpResult signal(Daemon& d, const json& args) {
  if (auto ok = check_arg_keys(args, {"path", "signal"}); !ok) return ok.error();
  auto id = node_arg(d.tree, args, "path", std::nullopt);
  if (!id) return id.error();
  auto signo = signal_arg(args);
  if (!signo) return signo.error();
  FUZZ_CHECK(signal_from_number(*signo).ok(), "an accepted signal that is none");
  return json{{"signalled", 0}};
}

OpResult run_op(Daemon& d, const Request& request) {
  const std::string& op = request.op;
  const json& args = request.args;
  if (op == "ping" || op == "version" || op == "shutdown") {
    if (auto ok = check_arg_keys(args, {}); !ok) return ok.error();
    return json::object();
  }
  if (op == "spawn") return spawn(d, args);
  if (op == "fork") return fork(d, args);
  if (op == "submit") return submit(d, args);
  if (op == "finalize") return finalize(d, args);
  if (op == "cancel") return cancel(d, args);
  if (op == "timeout") return timeout(d, args);
  if (op == "limit") return limit(d, args);
  if (op == "ps") return ps(d, args);
  if (op == "inspect") return inspect(d, args);
  if (op == "logs") return logs(d, args);
  if (op == "wait") return wait(d, args);
  if (op == "events") return events(args);
  if (op == "signal") return signal(d, args);
  return Error{ErrorCode::UnknownOp, fmt::format("unknown op '{}'", op)};  // dispatch.cpp
}

// --- invariants ------------------------------------------------------------------------

// A reply is exactly one NDJSON line: the client's framing depends on it, whatever bytes
// the request held (invalid UTF-8 is replaced, control characters escaped).
void check_reply(const std::string& line, std::int64_t id) {
  FUZZ_CHECK(!line.empty() && line.back() == '\n', line);
  FUZZ_CHECK(line.find('\n') == line.size() - 1, line);
  json reply = json::parse(line, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!reply.is_discarded(), line);
  FUZZ_CHECK(reply.value("id", json()) == id, line);
}

void check_refusal(const LineRefusal& refusal) {
  FUZZ_CHECK(!refusal.error.message.empty(), "a refusal without a message");
  FUZZ_CHECK(refusal.close_connection == (refusal.error.code == ErrorCode::LimitExceeded),
             refusal.error.message);
  check_reply(encode_error(refusal.id, refusal.error), refusal.id);
}

// What traioctl encodes from a decoded request decodes to the same request.
void check_round_trip(const Request& request) {
  const std::string line = encode_request(request);
  auto again = decode_request_line(request_line_text(line), JsonLimits{line.size(), 64});
  const auto* decoded = std::get_if<Request>(&again);
  FUZZ_CHECK(decoded != nullptr, line);
  FUZZ_CHECK(decoded->id == request.id && decoded->op == request.op && decoded->args == request.args, line);
}

void check_tree(const Daemon& d) {
  FUZZ_CHECK(d.tree.live_count() <= d.tree.node_count(), "more live nodes than nodes");
  FUZZ_CHECK(d.tree.node_count() <= 256 + 1, "past limits.nodes");
  FUZZ_CHECK(d.tree.root().is_live(), "the root ended without a shutdown");
}

// Returns false when the daemon closes the connection after this line.
bool handle_line(Daemon& d, const JsonLimits& limits, std::string_view line) {
  auto decoded = decode_request_line(line, limits);
  if (const auto* refusal = std::get_if<LineRefusal>(&decoded)) {
    check_refusal(*refusal);
    return !refusal->close_connection;
  }
  const auto& request = std::get<Request>(decoded);
  check_round_trip(request);
  OpResult result = run_op(d, request);
  if (result) {
    check_reply(encode_ok(request.id, *result), request.id);
  } else {
    FUZZ_CHECK(!result.error().message.empty(), request.op);
    check_reply(encode_error(request.id, result.error()), request.id);
  }
  d.effects.clear();
  d.now.mono += std::chrono::milliseconds(1);
  d.now.wall += std::chrono::milliseconds(1);
  check_tree(d);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const DaemonConfig::Limits limits = fuzz_limits();
  const JsonLimits json_limits{static_cast<std::size_t>(limits.request_bytes), limits.depth};  // dispatch.cpp
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  Daemon d;
  // session.cpp: read_until '\n' with at most request_bytes + 1 bytes buffered. Bytes after
  // the last '\n' are a line the client never finished: dropped at EOF.
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    const std::size_t max_line = static_cast<std::size_t>(limits.request_bytes) + 1;
    if (newline == std::string_view::npos ? rest.size() >= max_line : newline >= max_line) {
      check_reply(encode_error(0, {ErrorCode::LimitExceeded, "request line too long"}), 0);
      break;  // the connection is closed
    }
    if (newline == std::string_view::npos) break;
    const std::string_view line = request_line_text(rest.substr(0, newline + 1));
    rest.remove_prefix(newline + 1);
    FUZZ_CHECK(line.size() <= limits.request_bytes, "a line past the limit was read");
    if (!line.empty() && !handle_line(d, json_limits, line)) break;
  }
  return 0;
}
