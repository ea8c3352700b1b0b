#pragma once
// Waiting on nodes, and owning what we submitted (SPEC §3): `run` and `spawn --wait` turn
// SIGINT/SIGTERM into a `cancel` of their node and keep waiting for its outcome.
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/signal_set.hpp>

#include "cli/context.hpp"

namespace traio::cli {

class CancelOnSignal {
 public:
  // Catches SIGINT and SIGTERM from now on: create it before submitting, so that a signal
  // that comes during the submission still cancels what was submitted.
  explicit CancelOnSignal(Connection& conn);
  CancelOnSignal(const CancelOnSignal&) = delete;
  CancelOnSignal& operator=(const CancelOnSignal&) = delete;

  // From now on a signal cancels `path`; cancels it at once if a signal came already.
  void own(const std::string& path);
  bool interrupted() const { return caught_.has_value(); }

 private:
  void arm();
  void on_signal(int signo);
  void send_cancel();

  Connection& conn_;
  boost::asio::signal_set signals_;
  std::string path_;
  std::optional<int> caught_;
};

struct WaitArgs {
  std::vector<std::string> paths;
  std::optional<std::string> timeout;  // canonical duration
  bool claim = false;
};

// Sends `wait` and runs the loop (signals, timers) until its reply.
Reply wait_for(Client& client, const WaitArgs& args);

}  // namespace traio::cli
