#pragma once
// Waits for paths to exist (the `wait_file` job kind and the `ready.wait_file` probe). One
// inotify instance for all waits: a wait watches the nearest existing directory on the way
// to its path for entries created or moved in, and moves its watch down as the directories
// below appear, until the path exists. Waits on the same directory share its watch, so
// 10,000 waits under one missing directory hold one watch and cost nothing while idle.
// Waits are (re)examined in batches, a few hundred per loop turn. Where inotify cannot watch (no read permission, fs.inotify limits reached), a wait checks
// its path once a second instead.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/node_id.hpp"
#include "daemon/os/inotify.hpp"

namespace traio {

class FileWaits {
 public:
  using OnExists = std::function<void(NodeId)>;

  FileWaits(boost::asio::io_context& io, OnExists on_exists);
  ~FileWaits();
  FileWaits(const FileWaits&) = delete;
  FileWaits& operator=(const FileWaits&) = delete;

  // Waits for the absolute `path`. `on_exists(id)` runs on the loop, never from inside
  // start() (a path that exists already is seen in a handler posted by start). Starting an
  // id that waits already replaces its wait.
  void start(NodeId id, const std::string& path);
  // Ends a wait without calling on_exists. Returns whether one was running.
  bool cancel(NodeId id);
  // Why the wait goes on, for a probe's timeout message: "/run/x does not exist".
  std::string last_error(NodeId id) const;

  std::size_t running() const { return waits_.size(); }
  std::size_t watches() const { return watches_.size(); }  // inotify watches held

 private:
  struct Wait {
    std::string path;     // normalized: no trailing '/', no "." or ".."
    int wd = -1;          // the watch it waits on; -1 while it has none
    std::string watched;  // the directory that watch is on
    std::string entry;    // the entry of `watched` on the way to `path`
    std::string problem;  // why it polls instead of watching
    std::unique_ptr<boost::asio::steady_timer> poll;  // only while it cannot watch
  };
  struct Watch {
    // Waiting ids by the entry each waits for: an event wakes only the waits it concerns.
    std::unordered_map<std::string, std::unordered_set<NodeId>> by_entry;
    std::size_t waiters = 0;
  };

  void settle(NodeId id);
  boost::system::error_code watch(NodeId id, Wait& wait, const std::string& dir);
  void unwatch(NodeId id, Wait& wait);
  void drop_watch(int wd, std::vector<NodeId>& waiters);
  void poll_later(NodeId id, Wait& wait, std::string problem);
  boost::system::error_code open_inotify();
  void wait_events();
  void on_events();
  void settle_soon(NodeId id);
  void settle_due();

  boost::asio::io_context& io_;
  OnExists on_exists_;
  std::optional<os::Inotify> inotify_;  // opened with the first watch
  std::unique_ptr<boost::asio::posix::stream_descriptor> events_;  // on inotify_'s fd
  std::unordered_map<NodeId, Wait> waits_;
  std::unordered_map<int, Watch> watches_;  // by wd
  // Waits to look at again, oldest first, a batch per loop turn: 10,000 waits started at
  // once, or woken by one new directory, do not hold the loop for long.
  std::deque<NodeId> unsettled_;
  bool settling_ = false;  // a settle_due is posted
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace traio
