#include "cli/owned_wait.hpp"

#include <csignal>

#include "common/signal_name.hpp"

namespace traio::cli {

CancelOnSignal::CancelOnSignal(Connection& conn)
    : conn_(conn), signals_(conn.io, SIGINT, SIGTERM) {
  arm();
}

void CancelOnSignal::arm() {
  signals_.async_wait([this](boost::system::error_code ec, int signo) {
    // operation_aborted: the set was destroyed with us; `this` must not be touched.
    if (ec) return;
    on_signal(signo);
    arm();
  });
}

void CancelOnSignal::on_signal(int signo) {
  caught_ = signo;
  if (!path_.empty()) send_cancel();
}

void CancelOnSignal::own(const std::string& path) {
  path_ = path;
  if (caught_) send_cancel();
}

// Cancelling twice changes nothing (rule 7), so a second Ctrl-C just sends it again.
void CancelOnSignal::send_cancel() {
  nlohmann::json args = {{"path", path_},
                         {"reason", "traioctl got SIG" + signal_name(caught_.value_or(SIGINT))}};
  conn_.client.send("cancel", args, {}, [](const Reply&) {});
}

Reply wait_for(Client& client, const WaitArgs& args) {
  nlohmann::json json_args = {{"paths", args.paths}};
  if (args.timeout) json_args["timeout"] = *args.timeout;
  if (args.claim) json_args["claim"] = true;
  return client.call("wait", json_args);
}

}  // namespace traio::cli
