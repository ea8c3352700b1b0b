#include "daemon/server/metrics_service.hpp"

#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/version.hpp"
#include "daemon/server/metrics_render.hpp"

namespace traio {

namespace {

// Counts every node by state and lists the running process jobs `viewer` may see, walking
// down from the root (the tree keeps no list of its own; 10,000 nodes take about a ms).
void walk(const ScopeTree& tree, const Node& node, std::optional<Uid> viewer, const Supervisor& supervisor,
          MetricsSnapshot& snapshot, std::vector<UsageTarget>& targets, std::vector<const Node*>& target_nodes) {
  ++snapshot.nodes_in(node.state);
  if (node.job && node.job->kind == JobKind::Process && node.run.pid && node.is_live() &&
      (!viewer || *viewer == node.owner_uid)) {
    std::string cgroup = supervisor.job_cgroup(node.id);
    if (!cgroup.empty()) {
      targets.push_back(UsageTarget{node.id, *node.run.pid, std::move(cgroup)});
      target_nodes.push_back(&node);
    }
  }
  for (NodeId child : node.children)
    if (const Node* c = tree.find(child)) walk(tree, *c, viewer, supervisor, snapshot, targets, target_nodes);
}

}  // namespace

MetricsService::MetricsService(boost::asio::io_context& io, const Supervisor& supervisor)
    : io_(io), supervisor_(supervisor), usage_(io) {}

MetricsSnapshot MetricsService::collect(std::optional<Uid> viewer) {
  MetricsSnapshot snapshot;
  snapshot.version = kVersion;
  snapshot.counters = supervisor_.counters();
  std::vector<UsageTarget> targets;
  std::vector<const Node*> target_nodes;
  const ScopeTree& tree = supervisor_.tree();
  walk(tree, tree.root(), viewer, supervisor_, snapshot, targets, target_nodes);
  auto readings = usage_.readings(targets, viewer ? TargetSet::Some : TargetSet::All, kUsageReadBudget);
  snapshot.jobs.reserve(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!readings[i]) continue;  // not read yet: the next scrape has it
    snapshot.jobs.push_back(JobUsageSample{target_nodes[i]->path, readings[i]->cpu_usec, readings[i]->memory_bytes});
  }
  if (auto self = os::read_self_usage()) snapshot.self = *self;
  return snapshot;
}

boost::asio::awaitable<std::string> MetricsService::scrape(std::optional<Uid> viewer) {
  const auto posted = std::chrono::steady_clock::now();
  co_await boost::asio::post(io_, boost::asio::use_awaitable);
  const std::chrono::duration<double> lag = std::chrono::steady_clock::now() - posted;
  MetricsSnapshot snapshot = collect(viewer);
  snapshot.loop_lag_seconds = lag.count();
  co_return render_metrics(snapshot);
}

}  // namespace traio
