#pragma once
// Entrypoint mode (SPEC §6): `traiod --run TREE.json` runs one tree under `/` as
// `traioctl run` would, stops the daemon when the tree is done (rule 13: everything else is
// cancelled and every process reaped), and gives the exit code `traioctl run` would give.
#include <optional>

#include <boost/asio/io_context.hpp>

#include "common/exit_status.hpp"
#include "daemon/server/boot_trees.hpp"
#include "daemon/server/daemon.hpp"

namespace traio {

class Entrypoint {
 public:
  Entrypoint(boost::asio::io_context& io, Daemon& daemon, ExitCodeMode mode);
  ~Entrypoint();
  Entrypoint(const Entrypoint&) = delete;
  Entrypoint& operator=(const Entrypoint&) = delete;

  // Submits the tree (after daemon.start()). When it is done, or refused, the daemon stops.
  void start(const BootTree& tree);
  // For when the loop has returned: the tree's code (SPEC §3), or 1 if it never ended.
  int exit_code() const;

 private:
  void on_tree_done(const Node& node);
  void stop_daemon();

  boost::asio::io_context& io_;
  Daemon& daemon_;
  ExitCodeMode mode_;
  NodeId tree_ = kNoNode;
  std::optional<int> code_;
  Supervisor::ListenerId listener_ = 0;
};

}  // namespace traio
