#include "daemon/server/entrypoint.hpp"

#include <boost/asio/post.hpp>

#include "common/exit_code.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/node_json.hpp"

namespace traio {

Entrypoint::Entrypoint(boost::asio::io_context& io, Daemon& daemon, ExitCodeMode mode)
    : io_(io), daemon_(daemon), mode_(mode) {}

Entrypoint::~Entrypoint() {
  if (listener_ != 0) daemon_.supervisor().unsubscribe(listener_);
}

void Entrypoint::start(const BootTree& tree) {
  auto id = daemon_.submit_tree(tree.spec);
  if (!id) {
    // Only the core can refuse a valid file here (a boot tree holds its name): nothing of
    // it ran, so the code is the refusal's, as `traioctl run` exits on one.
    log(LogLevel::Error, "run: {}: {}", tree.file, id.error().message);
    code_ = as_int(exit_code_for(id.error().code));
    stop_daemon();
    return;
  }
  tree_ = *id;
  const Node* node = daemon_.supervisor().tree().find(tree_);
  log(LogLevel::Info, "run: started {} from {}", node ? node->path : std::string("?"), tree.file);
  // An empty tree has ended inside submit; its Done event went by before we listened.
  if (node != nullptr && !node->is_live()) {
    on_tree_done(*node);
    return;
  }
  listener_ = daemon_.supervisor().subscribe([this](const LifecycleEvent& event) {
    if (event.kind != EventKind::Done || event.id != tree_) return;
    if (const Node* done = daemon_.supervisor().tree().find(tree_)) on_tree_done(*done);
  });
}

void Entrypoint::on_tree_done(const Node& node) {
  // The node object `traioctl run` gets from `wait`, so both map it through one function.
  code_ = exit_code_for_node(node_json(daemon_.supervisor().tree(), node, SpecField::Omit), mode_);
  log(LogLevel::Info, "run: {} ended {}; exit code {} once everything else is done", node.path,
      to_string(node.outcome), *code_);
  if (listener_ != 0) {
    daemon_.supervisor().unsubscribe(listener_);
    listener_ = 0;
  }
  stop_daemon();
}

void Entrypoint::stop_daemon() {
  // Posted: we may be inside the supervisor's apply loop, which the stop acts on again.
  boost::asio::post(io_, [this] { daemon_.request_stop(); });
}

int Entrypoint::exit_code() const { return code_.value_or(as_int(ExitCode::Failed)); }

}  // namespace traio
