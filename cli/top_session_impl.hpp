#pragma once
// The state of a running `traioctl top` (cli/top_session.hpp), shared by its two halves:
// top_session.cpp (start-up, streams, timers, drawing) and top_session_keys.cpp (keys and
// the requests they make). Not for other code.
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "cli/top_model.hpp"
#include "cli/top_session.hpp"
#include "cli/top_terminal.hpp"
#include "cli/top_view.hpp"

namespace traio::cli::top_detail {

namespace asio = boost::asio;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

class Session {
 public:
  Session(const Context& ctx, const TopOptions& o, Connection& conn, bool interactive)
      : ctx_(ctx),
        o_(o),
        conn_(conn),
        client_(conn.client),
        interactive_(interactive),
        signals_(conn.io),
        stdin_(conn.io),
        tick_(conn.io),
        stats_timer_(conn.io),
        redraw_(conn.io) {}

  int run();

 private:
  // Start-up
  int load_snapshot();
  void request_tails(bool wait);
  void start_live();
  // Streams and replies
  void on_event(const json& event);
  void on_log_line(const json& line);
  void sample_stats();
  // Terminal
  void read_keys();
  void on_key(const KeyPress& key);
  void on_tree_key(const KeyPress& key);
  void on_signal(int signo);
  void move(long by);
  void open_log_pane();
  void act(const std::string& op, const std::string& path, const std::string& done_text);
  // Output
  void schedule_draw();
  void draw();
  void print_frame();
  [[noreturn]] void quit(int code, const std::string& message = "");
  void arm_tick();
  void arm_stats();

  TopScreen screen(std::size_t width, std::size_t height) const;
  const TopNode* selected_node() const { return model_.find(selected_); }
  // The job rows on screen (every row when not interactive), at most `max`.
  std::vector<std::string> job_rows(std::size_t max, bool live_only = false) const;

  const Context& ctx_;
  const TopOptions& o_;
  Connection& conn_;
  Client& client_;
  const bool interactive_;
  Terminal terminal_;
  asio::signal_set signals_;
  asio::posix::stream_descriptor stdin_;
  asio::steady_timer tick_;
  asio::steady_timer stats_timer_;
  asio::steady_timer redraw_;

  std::string root_;
  std::string version_;
  TopModel model_;
  bool snapshot_ = false;
  std::vector<TopRow> rows_;
  std::string selected_;
  std::size_t selected_index_ = 0;
  std::size_t first_row_ = 0;
  std::string status_;
  std::string confirm_cancel_;  // a path waiting for 'y'
  bool draw_pending_ = false;
  bool stats_supported_ = true;
  bool stats_in_flight_ = false;
  std::uint64_t events_at_tick_ = 0;
  Steady::time_point tick_at_ = Steady::now();
  double events_per_second_ = 0;
  Steady::time_point next_frame_ = Steady::now();
  int frames_printed_ = 0;
  // The log pane (`l`): its path, and lines: a history request's, then the follow stream's.
  std::string log_path_;
  std::deque<std::string> log_lines_;
  std::string key_bytes_;
  std::array<char, 256> key_buffer_{};
};

}  // namespace traio::cli::top_detail
