#include "daemon/server/journal_recovery.hpp"

#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/os/leftovers.hpp"
#include "daemon/os/proc_stat.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/journal_records.hpp"

namespace traio {

using json = nlohmann::json;

namespace {

// A node of the journal with what its records said, in the order they came.
struct JournalNode {
  std::uint64_t old_id = 0;
  std::uint64_t old_parent = 0;
  RestoredNode node;
  bool ended = false;
  std::optional<journal::StartRecord> last_run;
};

struct ReadJournal {
  journal::RunRecord run;
  std::vector<JournalNode> nodes;              // creation order: parents first
  std::map<std::uint64_t, std::size_t> index;  // old id -> nodes[i], for the current run
  std::size_t bad_lines = 0;
};

void read_line(const std::string& line, ReadJournal& out) {
  const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    ++out.bad_lines;
    return;
  }
  try {
    const std::string type = j.value("j", std::string());
    if (type == "run") {
      // A new run: ids start again. The nodes of the earlier run stay (already restored by
      // it, they reappear in its snapshot; this only happens if a recovery itself crashed).
      if (auto run = journal::read_run(j)) out.run = *run;
      out.index.clear();
      return;
    }
    const auto id = j.value("id", std::uint64_t{0});
    if (type == "node") {
      auto node = journal::read_node(j);
      if (!node || id == 0) {
        ++out.bad_lines;
        return;
      }
      out.index[id] = out.nodes.size();
      out.nodes.push_back({id, j.value("parent", std::uint64_t{0}), std::move(*node), false, std::nullopt});
      return;
    }
    auto it = out.index.find(id);
    if (it == out.index.end()) {
      ++out.bad_lines;
      return;
    }
    JournalNode& node = out.nodes[it->second];
    if (type == "start") {
      node.last_run = journal::read_start(j);
      if (node.last_run && !node.node.started_at) node.node.started_at = node.last_run->at;
      if (node.last_run) node.node.pid = node.last_run->pid;
    } else if (type == "end") {
      node.ended = journal::apply_end(j, node.node);
    } else {
      ++out.bad_lines;
    }
  } catch (const json::exception&) {  // a field of the wrong type
    ++out.bad_lines;
  }
}

// The old daemon may still run (a second traiod on the same state directory is refused
// earlier by the lock, but a journal copied from elsewhere is not): never kill its jobs.
bool old_daemon_alive(const journal::RunRecord& run) {
  if (run.pid <= 0) return false;
  auto stat = os::read_proc_stat(run.pid);
  return stat && stat->start_time == run.pid_start && stat->state != 'Z';
}

}  // namespace

RecoveryReport recover_journal(const std::vector<std::string>& lines, Supervisor& supervisor,
                               std::chrono::milliseconds kill_limit) {
  RecoveryReport report;
  if (lines.empty()) return report;
  ReadJournal journal;
  for (const auto& line : lines) read_line(line, journal);
  report.bad_lines = journal.bad_lines;
  report.old_pid = journal.run.pid;
  report.other_boot = !journal.run.boot.empty() && journal.run.boot != os::boot_id();
  const bool may_kill = !report.other_boot && !old_daemon_alive(journal.run);
  report.may_kill = may_kill;

  // Leftovers first: nothing of the old run may still run once the new one serves.
  std::vector<os::Leftover> leftovers;
  std::vector<std::size_t> owners;  // leftovers[i] belongs to journal.nodes[owners[i]]
  for (std::size_t i = 0; i < journal.nodes.size(); ++i) {
    const JournalNode& n = journal.nodes[i];
    if (n.ended || !n.last_run || (!n.last_run->pid && n.last_run->cgroup.empty()) || !may_kill) continue;
    leftovers.push_back({n.last_run->pid.value_or(0), n.last_run->start_time, n.last_run->cgroup});
    owners.push_back(i);
  }
  const auto fates = os::kill_leftovers(leftovers, kill_limit);
  std::vector<std::optional<os::LeftoverFate>> fate_of(journal.nodes.size());
  for (std::size_t i = 0; i < fates.size(); ++i) {
    fate_of[owners[i]] = fates[i];
    switch (fates[i]) {
      case os::LeftoverFate::Killed: ++report.killed; break;
      case os::LeftoverFate::PidReused: ++report.pid_reused; break;
      case os::LeftoverFate::Refused: ++report.refused; break;
      case os::LeftoverFate::Gone: break;
    }
  }

  std::map<std::uint64_t, NodeId> placed;  // old id -> new id
  for (std::size_t i = 0; i < journal.nodes.size(); ++i) {
    JournalNode& n = journal.nodes[i];
    NodeId parent = kRootId;
    if (n.old_parent != kRootId) {
      auto it = placed.find(n.old_parent);
      if (it == placed.end()) continue;  // its scope was not restored (forgotten, or refused)
      parent = it->second;
    }
    if (!n.ended) {
      n.node.outcome = Outcome::Lost;
      std::string what = "the daemon (pid " + std::to_string(journal.run.pid) + ") ended while this node was live";
      if (fate_of[i] == os::LeftoverFate::Killed) what += "; the restarted daemon killed what it left running";
      if (fate_of[i] == os::LeftoverFate::PidReused) what += "; its pid now names another process, left alone";
      if (report.other_boot) what += " (before a reboot)";
      n.node.reason = std::move(what);
      n.node.ended_at = supervisor.now().wall;  // when it was found lost: the crash's time is unknown
      ++report.lost;
    }
    auto id = supervisor.restore(parent, std::move(n.node));
    if (!id) continue;
    placed[n.old_id] = *id;
    ++report.restored;
  }
  log(LogLevel::Info, "journal: {} node(s) of the run of pid {} restored, {} lost, leftovers of {} job(s) killed{}{}",
      report.restored, report.old_pid, report.lost, report.killed,
      report.pid_reused ? fmt::format(", {} reused pid(s) left alone", report.pid_reused) : std::string(),
      report.bad_lines ? fmt::format(", {} unreadable record(s) skipped", report.bad_lines) : std::string());
  return report;
}

}  // namespace traio
