// logs with follow (SPEC §3 `logs -f`, docs/protocol.md): the last lines, then every new
// line as an event {path, line, stream, time}, until the node is done and all its output is
// read; for a scope, from every job of its subtree, jobs spawned later included. The logs are
// polled (log_follow.hpp) on a steady timer with a bounded read per poll, so that followers
// of a job that writes fast cost the loop little; a client that leaves ends its follow.
#include <algorithm>
#include <chrono>

#include "common/protocol.hpp"
#include "daemon/server/log_follow.hpp"
#include "daemon/server/ops_logs.hpp"

namespace traio {
namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 100ms;
constexpr std::size_t kReadPerPoll = 256u << 10;   // shared by the jobs of one follow
constexpr std::size_t kMinReadPerJob = 32u << 10;  // at least one whole record each
// The first lines are sent in one go, as events of ~60 bytes more than their record each:
// half the read of a plain `logs` keeps them well below the session's 8 MiB queue bound.
constexpr std::size_t kFirstLinesRead = kMaxLogRead / 2;

struct FollowedJob {
  NodeId id;
  std::string path;
  LogFollower log;
};

bool in_subtree(const ScopeTree& tree, NodeId id, NodeId root) {
  for (const Node* n = tree.find(id); n != nullptr; n = tree.find(n->parent))
    if (n->id == root) return true;
  return false;
}

// Forgotten counts as over: it ended long ago.
bool is_over(const ScopeTree& tree, NodeId id) {
  const Node* n = tree.find(id);
  return n == nullptr || !n->is_live();
}

}  // namespace

boost::asio::awaitable<OpResult> follow_logs(OpCall call, NodeId target, std::optional<OutputStream> stream,
                                             std::size_t lines) {
  Supervisor& supervisor = call.supervisor();
  const ScopeTree& tree = supervisor.tree();
  Session& session = *call.session;
  const auto request_id = call.request.id;
  const Node& node = *tree.find(target);
  auto send_line = [&](TaggedLine&& tagged) { session.send(encode_event(request_id, line_json(std::move(tagged)))); };

  // The end so far and the followers are taken in one loop turn: no line is lost or doubled.
  for (auto& tagged : merged_tail(supervisor, node, stream, lines, kFirstLinesRead)) send_line(std::move(tagged));
  std::vector<FollowedJob> jobs;
  std::vector<const Node*> existing;
  collect_jobs(tree, node, existing);
  for (const Node* job : existing)
    jobs.push_back({job->id, job->path, LogFollower(supervisor.log_path(job->id), LogFollower::From::End)});

  std::vector<NodeId> created;  // nodes made since the last poll; those of the subtree join
  ListenerGuard listener(supervisor, [&, scope = node.is_scope()](const LifecycleEvent& event) {
    if (scope && event.kind == EventKind::Created) created.push_back(event.id);
  });
  StreamWaker waker(call.session);
  std::vector<TaggedLine> batch;
  while (session.state() != SessionState::Closed) {
    // A stopping daemon has ended every node (rule 13) before it stops its sessions: one
    // last poll sends what they wrote, then the final reply.
    const bool last_poll = session.state() == SessionState::Stopping;
    // Sampled before the reads: what the node wrote before it ended is read by this poll.
    const bool ended = is_over(tree, target);
    for (NodeId id : created) {
      const Node* job = tree.find(id);
      if (job != nullptr && !job->is_scope() && in_subtree(tree, id, target))
        jobs.push_back({id, job->path, LogFollower(supervisor.log_path(id), LogFollower::From::Start)});
    }
    created.clear();

    bool caught_up = true;
    const bool several = jobs.size() > 1;
    const std::size_t share = std::max(kReadPerPoll / std::max<std::size_t>(jobs.size(), 1), kMinReadPerJob);
    for (auto it = jobs.begin(); it != jobs.end();) {
      const bool job_over = is_over(tree, it->id);
      const bool read_all = it->log.poll(share, [&](std::string_view text) {
        LogLine line = to_log_line(text);
        if (!stream || line.stream == *stream) batch.push_back({it->path, std::move(line)});
      });
      caught_up = caught_up && read_all;
      it = job_over && read_all ? jobs.erase(it) : it + 1;
    }
    // Times are fixed-width RFC 3339: they sort as strings; stable keeps a job's own order.
    if (several)
      std::stable_sort(batch.begin(), batch.end(),
                       [](const TaggedLine& a, const TaggedLine& b) { return a.line.time < b.line.time; });
    for (auto& tagged : batch) send_line(std::move(tagged));
    batch.clear();
    if (ended && caught_up) co_return nlohmann::json{{"done", true}};
    if (last_poll) break;

    waker.set_deadline(std::chrono::steady_clock::now() + kPollInterval);
    co_await waker.sleep();
  }
  // The client left (nobody reads this), or the daemon stopped before all was read.
  co_return nlohmann::json{{"done", false}};
}

}  // namespace traio
