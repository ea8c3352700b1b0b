#include "cli/progress.hpp"

#include <iostream>

#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "cli/render_node.hpp"

namespace traio::cli {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

JobCounts count_jobs(const json& node) {
  JobCounts counts;
  if (!node.is_object()) return counts;
  if (node.value("type", "") == "job") {
    ++counts.total;
    const std::string state = node.value("state", "");
    const json outcome = node.value("outcome", json());
    if (state == "done") ++counts.done;
    if (state == "running" || state == "stopping") ++counts.running;
    if (outcome == "failed" || outcome == "timed_out") ++counts.failed;
  }
  if (auto it = node.find("children"); it != node.end() && it->is_array()) {
    for (const auto& child : *it) {
      const JobCounts sub = count_jobs(child);
      counts.total += sub.total;
      counts.done += sub.done;
      counts.running += sub.running;
      counts.failed += sub.failed;
    }
  }
  return counts;
}

std::string progress_text(const JobCounts& c, std::chrono::milliseconds elapsed) {
  return fmt::format("{}/{} done, {} running, {} failed, {}", c.done, c.total, c.running, c.failed,
                     format_age(elapsed));
}

struct ProgressLine::State : std::enable_shared_from_this<ProgressLine::State> {
  State(Connection& c, std::string p) : conn(c), path(std::move(p)), timer(c.io) {}

  void tick() {
    if (in_flight) return;
    in_flight = true;
    std::weak_ptr<State> weak = shared_from_this();
    conn.client.send("ps", {{"path", path}, {"all", true}}, {}, [weak](const Reply& reply) {
      if (auto self = weak.lock()) self->on_ps(reply);
    });
  }

  void on_ps(const Reply& reply) {
    in_flight = false;
    if (reply.status == ReplyStatus::Ok) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      last = progress_text(count_jobs(reply.result.value("node", json())), elapsed);
      std::cerr << "\r\033[K" << last << std::flush;
    }
    arm();
  }

  void arm() {
    timer.expires_after(std::chrono::milliseconds(250));
    std::weak_ptr<State> weak = shared_from_this();
    timer.async_wait([weak](boost::system::error_code ec) {
      if (ec) return;  // operation_aborted: we were stopped
      if (auto self = weak.lock()) self->tick();
    });
  }

  Connection& conn;
  std::string path;
  boost::asio::steady_timer timer;
  Clock::time_point start = Clock::now();
  bool in_flight = false;
  std::string last;
};

ProgressLine::ProgressLine(Connection& conn, std::string path)
    : state_(std::make_shared<State>(conn, std::move(path))) {
  state_->tick();
}

ProgressLine::~ProgressLine() {
  state_->timer.cancel();
  if (!state_->last.empty()) std::cerr << "\r\033[K" << std::flush;
}

}  // namespace traio::cli
