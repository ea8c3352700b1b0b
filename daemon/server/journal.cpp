#include "daemon/server/journal.hpp"

#include <unistd.h>

#include <algorithm>

#include <boost/asio/post.hpp>

#include "daemon/os/proc_stat.hpp"
#include "daemon/runners/logger.hpp"

namespace traio {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

// Below this the file is never compacted: a snapshot of a small tree costs more than it saves.
constexpr std::uint64_t kMinCompactBytes = 1 << 20;
// A buffer this big is written at once instead of at the end of the loop's turn.
constexpr std::size_t kFlushBytes = 1 << 16;

}  // namespace

Journal::Journal(asio::io_context& io, Supervisor& supervisor, os::JournalFile file)
    : io_(io), supervisor_(supervisor), file_(std::move(file)) {
  self_.pid = static_cast<int>(::getpid());
  if (auto stat = os::read_proc_stat(self_.pid)) self_.pid_start = stat->start_time;
  self_.boot = os::boot_id();
}

Journal::~Journal() {
  *alive_ = false;
  if (listener_ != 0) supervisor_.unsubscribe(listener_);
  (void)flush();  // a clean stop: the outcomes of the last nodes
}

Status Journal::start() {
  listener_ = supervisor_.subscribe([this](const LifecycleEvent& event) { on_event(event); });
  return write_snapshot();
}

void Journal::on_event(const LifecycleEvent& event) {
  const Node* node = supervisor_.tree().find(event.id);
  switch (event.kind) {
    case EventKind::Created:
      if (node != nullptr) add(journal::node_record(*node));
      break;
    case EventKind::Started: {
      if (node == nullptr || node->is_scope()) break;
      journal::StartRecord start;
      start.pid = node->run.pid;
      start.at = event.time;
      if (start.pid) {
        // Read now: the process is at least a zombie until the loop reaps it.
        if (auto stat = os::read_proc_stat(*start.pid)) start.start_time = stat->start_time;
        start.cgroup = supervisor_.job_cgroup(event.id);
      }
      add(journal::start_record(event.id, start));
      runs_[event.id] = std::move(start);
      // Written at once, not at the end of the turn: a crash during a burst of spawns must
      // not leave processes the journal does not name (one write(2) per run).
      (void)flush();
      break;
    }
    case EventKind::Done:
      runs_.erase(event.id);
      if (node != nullptr) {
        add(journal::end_record(*node));
      } else {
        // Forgotten within the same step (history 0): what the event says.
        add(json{{"j", "end"}, {"id", event.id}, {"outcome", std::string(to_string(event.outcome))},
                 {"reason", event.message}, {"ended", journal::to_ms(event.time)}});
      }
      break;
    case EventKind::Ready:
    case EventKind::Finalized:
    case EventKind::Stopping:
    case EventKind::Exited:
    case EventKind::TimeoutSet:
    case EventKind::Forgotten:
    case EventKind::Restarting:
    case EventKind::Pending:
    case EventKind::Released:
    case EventKind::Queued:
    case EventKind::LimitSet:
    case EventKind::Paused:
    case EventKind::Resumed:
    case EventKind::Healthy:
    case EventKind::Unhealthy:
      break;
  }
}

void Journal::add(const json& record) {
  buffer_ += record.dump(-1, ' ', false, json::error_handler_t::replace);
  buffer_ += '\n';
  if (buffer_.size() >= kFlushBytes) {
    (void)flush();
    return;
  }
  schedule_flush();
}

void Journal::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  // Once per turn of the loop: a burst of a thousand spawns is one write.
  asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    flush_scheduled_ = false;
    (void)flush();
  });
}

Status Journal::flush() {
  if (needs_snapshot_) return write_snapshot();
  if (buffer_.empty()) return ok_status();
  if (auto ok = file_.append(buffer_); !ok) {
    if (!failing_) log(LogLevel::Error, "journal: cannot write {}: {}", file_.path(), ok.error().message());
    failing_ = true;
    needs_snapshot_ = true;  // the buffer's records are in the tree: the snapshot has them
    buffer_.clear();
    return Error{ErrorCode::Internal, "cannot write the journal: " + ok.error().message()};
  }
  buffer_.clear();
  if (file_.size() > std::max(kMinCompactBytes, 2 * snapshot_size_)) return write_snapshot();
  return ok_status();
}

Status Journal::commit() {
  if (auto ok = flush(); !ok) return ok;
  if (auto ok = file_.sync(); !ok) {
    if (!failing_) log(LogLevel::Error, "journal: cannot sync {}: {}", file_.path(), ok.error().message());
    failing_ = true;
    needs_snapshot_ = true;
    return Error{ErrorCode::Internal, "cannot sync the journal: " + ok.error().message()};
  }
  return ok_status();
}

Status Journal::ready() { return needs_snapshot_ ? commit() : ok_status(); }

Status Journal::write_snapshot() {
  buffer_.clear();  // the snapshot holds everything the buffer said
  const std::string content = snapshot();
  if (auto ok = file_.replace(content); !ok) {
    if (!failing_) log(LogLevel::Error, "journal: cannot write {}: {}", file_.path(), ok.error().message());
    failing_ = true;
    needs_snapshot_ = true;
    return Error{ErrorCode::Internal, "cannot write the journal: " + ok.error().message()};
  }
  if (failing_) log(LogLevel::Info, "journal: writing {} again", file_.path());
  failing_ = false;
  needs_snapshot_ = false;
  snapshot_size_ = content.size();
  ++snapshots_;
  return ok_status();
}

// Parents before children (a depth-first walk from the root), so that reading it back can
// place every node under one already read.
std::string Journal::snapshot() const {
  const ScopeTree& tree = supervisor_.tree();
  std::string out = journal::run_record(self_, supervisor_.now().wall).dump() + '\n';
  std::vector<NodeId> stack(tree.root().children.rbegin(), tree.root().children.rend());
  while (!stack.empty()) {
    const Node* node = tree.find(stack.back());
    stack.pop_back();
    if (node == nullptr) continue;
    out += journal::node_record(*node).dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
    if (auto run = runs_.find(node->id); run != runs_.end() && node->is_live())
      out += journal::start_record(node->id, run->second).dump() + '\n';
    if (node->is_done()) out += journal::end_record(*node).dump(-1, ' ', false, json::error_handler_t::replace) + '\n';
    stack.insert(stack.end(), node->children.rbegin(), node->children.rend());
  }
  return out;
}

}  // namespace traio
