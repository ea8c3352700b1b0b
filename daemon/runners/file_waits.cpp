#include "daemon/runners/file_waits.hpp"

#include <sys/inotify.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "daemon/runners/logger.hpp"

namespace traio {

namespace asio = boost::asio;

namespace {

// IN_MOVE_SELF: the watch follows a renamed directory, which is no longer on the way to the
// path. IN_ONLYDIR: a directory replaced by a file between our check and the watch is
// ENOTDIR, not a watch on the file. (IN_IGNORED comes without asking.)
constexpr std::uint32_t kWatchMask = IN_CREATE | IN_MOVED_TO | IN_MOVE_SELF | IN_ONLYDIR;
constexpr auto kPollInterval = std::chrono::seconds(1);
// Rounds of "check, watch, check again" before a wait whose directories keep appearing and
// vanishing under it falls back to polling (one round is enough unless something races us).
constexpr int kMaxRounds = 64;
constexpr int kMaxReadsPerTurn = 16;  // then the loop serves others before reading on
// A settle costs a few stat(2) and an inotify_add_watch: a batch stays around a millisecond.
constexpr int kSettlesPerTurn = 128;

std::string normalize(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::path(path).lexically_normal();
  if (p.is_relative()) p = std::filesystem::absolute(p, ec).lexically_normal();  // config requires absolute
  std::string out = p.string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out.empty() ? "/" : out;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/";
  return path.substr(0, slash);
}

// The entry of `dir` that leads to `path` ("b" for /a and /a/b/c).
std::string entry_below(const std::string& dir, const std::string& path) {
  std::size_t start = dir == "/" ? 1 : dir.size() + 1;
  std::size_t end = path.find('/', start);
  return path.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// `test -e`: symlinks are followed, so a link to a missing target does not count.
bool path_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

std::string nearest_existing_dir(const std::string& path) {
  std::string dir = parent_of(path);
  std::error_code ec;
  while (dir != "/" && !std::filesystem::is_directory(dir, ec)) dir = parent_of(dir);
  return dir;
}

bool is_gone(const boost::system::error_code& error) {
  return error == boost::system::errc::no_such_file_or_directory || error == boost::system::errc::not_a_directory;
}

}  // namespace

FileWaits::FileWaits(asio::io_context& io, OnExists on_exists) : io_(io), on_exists_(std::move(on_exists)) {}

// The Inotify owns the fd: take it back from Asio before it closes it.
FileWaits::~FileWaits() {
  if (!events_) return;
  boost::system::error_code ignored;
  events_->cancel(ignored);
  events_->release();
}

void FileWaits::start(NodeId id, const std::string& path) {
  cancel(id);
  waits_[id].path = normalize(path);
  // Checked from the loop, so on_exists never runs inside start(). The check watches before
  // it looks, so nothing created in between is missed.
  settle_soon(id);
}

bool FileWaits::cancel(NodeId id) {
  auto it = waits_.find(id);
  if (it == waits_.end()) return false;
  unwatch(id, it->second);
  waits_.erase(it);  // destroys a poll timer: its handler sees operation_aborted
  return true;
}

std::string FileWaits::last_error(NodeId id) const {
  auto it = waits_.find(id);
  if (it == waits_.end()) return {};
  const Wait& wait = it->second;
  if (wait.problem.empty()) return fmt::format("{} does not exist", wait.path);
  return fmt::format("{} does not exist ({}; checking every second)", wait.path, wait.problem);
}

// Idempotent: brings a wait to its place from whatever the file system looks like now, so it
// is safe to call for any event that may concern the wait, or for none.
void FileWaits::settle(NodeId id) {
  for (int round = 0; round < kMaxRounds; ++round) {
    auto it = waits_.find(id);
    if (it == waits_.end()) return;
    Wait& wait = it->second;
    if (path_exists(wait.path)) {
      unwatch(id, wait);
      waits_.erase(it);
      on_exists_(id);
      return;
    }
    std::string dir = nearest_existing_dir(wait.path);
    if (wait.wd >= 0 && dir == wait.watched) return;  // the look above came after this watch
    unwatch(id, wait);
    auto error = watch(id, wait, dir);
    if (is_gone(error)) continue;  // `dir` went away meanwhile: look again
    if (error) {
      poll_later(id, wait, fmt::format("cannot watch {}: {}", dir, error.message()));
      return;
    }
    wait.problem.clear();
    wait.poll.reset();
    // Round again: the path, or a directory below `dir`, may have appeared before the watch.
  }
  if (auto it = waits_.find(id); it != waits_.end())
    poll_later(id, it->second, "its directories keep changing");
}

boost::system::error_code FileWaits::watch(NodeId id, Wait& wait, const std::string& dir) {
  if (auto error = open_inotify()) return error;
  auto wd = inotify_->add_watch(dir, kWatchMask);
  if (!wd) return wd.error();
  // The same directory (inode) gives the same wd: waits under it share the watch.
  Watch& shared = watches_[*wd];
  std::string entry = entry_below(dir, wait.path);
  if (shared.by_entry[entry].insert(id).second) ++shared.waiters;
  wait.wd = *wd;
  wait.watched = dir;
  wait.entry = std::move(entry);
  return {};
}

void FileWaits::unwatch(NodeId id, Wait& wait) {
  if (wait.wd < 0) return;
  if (auto it = watches_.find(wait.wd); it != watches_.end()) {
    Watch& shared = it->second;
    if (auto waiting = shared.by_entry.find(wait.entry); waiting != shared.by_entry.end()) {
      if (waiting->second.erase(id) > 0) --shared.waiters;
      if (waiting->second.empty()) shared.by_entry.erase(waiting);
    }
    if (shared.waiters == 0) {
      // Its IN_IGNORED comes later and finds no watch; wds are not reused soon (cyclic ids).
      if (auto removed = inotify_->remove_watch(wait.wd); !removed)
        log(LogLevel::Warning, "inotify_rm_watch {}: {}", wait.watched, removed.error().message());
      watches_.erase(it);
    }
  }
  wait.wd = -1;
  wait.watched.clear();
  wait.entry.clear();
}

// The watch is gone or no longer on the way (its directory was deleted, moved or unmounted):
// its waits lose it and must climb back to the nearest existing parent.
void FileWaits::drop_watch(int wd, std::vector<NodeId>& waiters) {
  auto it = watches_.find(wd);
  if (it == watches_.end()) return;
  for (const auto& [entry, ids] : it->second.by_entry) {
    for (NodeId id : ids) {
      if (auto wait = waits_.find(id); wait != waits_.end()) {
        wait->second.wd = -1;
        wait->second.watched.clear();
        wait->second.entry.clear();
      }
      waiters.push_back(id);
    }
  }
  watches_.erase(it);
}

void FileWaits::poll_later(NodeId id, Wait& wait, std::string problem) {
  if (wait.problem != problem)
    log(LogLevel::Warning, "wait for {}: {}; checking every second", wait.path, problem);
  wait.problem = std::move(problem);
  if (!wait.poll) wait.poll = std::make_unique<asio::steady_timer>(io_);
  wait.poll->expires_after(kPollInterval);
  wait.poll->async_wait([this, id, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    settle(id);
  });
}

boost::system::error_code FileWaits::open_inotify() {
  if (inotify_) return {};
  auto opened = os::Inotify::open();
  if (!opened) return opened.error();
  auto events = std::make_unique<asio::posix::stream_descriptor>(io_);
  boost::system::error_code error;
  events->assign(opened->fd(), error);
  if (error) return error;
  inotify_.emplace(std::move(*opened));
  events_ = std::move(events);
  wait_events();
  return {};
}

void FileWaits::wait_events() {
  events_->async_wait(asio::posix::descriptor_base::wait_read,
                      [this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
                        if (alive.expired() || ec == asio::error::operation_aborted) return;
                        if (ec) log(LogLevel::Error, "inotify: {}", ec.message());
                        on_events();
                      });
}

// Reads until the queue is empty (Asio's epoll is edge-triggered: what is left unread would
// not wake us again), in turns of a few reads so that a flood does not hold the loop.
void FileWaits::on_events() {
  for (int reads = 0; reads < kMaxReadsPerTurn; ++reads) {
    auto events = inotify_->read_events();
    if (!events) {
      log(LogLevel::Error, "inotify read: {}", events.error().message());
      wait_events();
      return;
    }
    if (events->empty()) {
      wait_events();
      return;
    }
    std::vector<NodeId> woken;
    bool overflow = false;
    for (const auto& event : *events) {
      if (event.mask & IN_Q_OVERFLOW) {
        overflow = true;  // events were lost: any wait may be due
        continue;
      }
      if (event.mask & IN_MOVE_SELF) {
        if (watches_.count(event.wd) > 0) (void)inotify_->remove_watch(event.wd);
        drop_watch(event.wd, woken);
      } else if (event.mask & IN_IGNORED) {
        drop_watch(event.wd, woken);
      } else if (auto it = watches_.find(event.wd); it != watches_.end()) {
        if (auto waiting = it->second.by_entry.find(event.name); waiting != it->second.by_entry.end())
          woken.insert(woken.end(), waiting->second.begin(), waiting->second.end());
      }
    }
    if (overflow) {
      log(LogLevel::Warning, "inotify queue overflowed: checking all {} file waits", waits_.size());
      woken.clear();
      for (const auto& [id, wait] : waits_) woken.push_back(id);
    }
    for (NodeId id : woken) settle_soon(id);
  }
  asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) on_events();
  });
}

void FileWaits::settle_soon(NodeId id) {
  unsettled_.push_back(id);  // settle is idempotent: a duplicate or a cancelled id is harmless
  if (settling_) return;
  settling_ = true;
  asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) settle_due();
  });
}

void FileWaits::settle_due() {
  auto alive = std::weak_ptr<int>(alive_);
  for (int settled = 0; settled < kSettlesPerTurn && !unsettled_.empty(); ++settled) {
    NodeId id = unsettled_.front();
    unsettled_.pop_front();
    settle(id);
    if (alive.expired()) return;  // on_exists destroyed us
  }
  if (unsettled_.empty()) {
    settling_ = false;
    return;
  }
  asio::post(io_, [this, alive] {  // behind what else is ready
    if (!alive.expired()) settle_due();
  });
}

}  // namespace traio
