#include "cli/top_session.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "cli/output.hpp"
#include "cli/top_session_impl.hpp"

namespace traio::cli {

namespace top_detail {

namespace {

constexpr auto kLinger = std::chrono::seconds(10);     // an ended node's row stays this long (no --all)
constexpr auto kStatsEvery = std::chrono::seconds(2);
constexpr auto kTick = std::chrono::seconds(1);        // the clock, ages, the event rate
constexpr auto kRedrawDelay = std::chrono::milliseconds(100);  // at most 10 frames a second
constexpr std::size_t kStatsMax = 1000;                // the `stats` op's limit
constexpr std::size_t kTailsMax = 500;                 // initial last-line requests, at most
constexpr std::size_t kLogPaneMax = 5000;
constexpr std::size_t kPlainWidth = 160;

bool under(const std::string& path, const std::string& scope) {
  if (scope == "/") return true;
  return path == scope ||
         (path.size() > scope.size() && path.compare(0, scope.size(), scope) == 0 && path[scope.size()] == '/');
}

std::size_t plain_width() {
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n >= 20 && n <= 10000) return static_cast<std::size_t>(n);
  }
  return kPlainWidth;
}


}  // namespace

int Session::run() {
  root_ = ctx_.resolve(o_.path.empty() ? ctx_.default_scope : o_.path);
  client_.send("version", json::object(), {}, [this](const Reply& r) {
    if (r.status == ReplyStatus::Ok) version_ = r.result.value("version", "");
  });
  // The event stream is asked for before the snapshot: what the daemon sends on this
  // connection before the `ps` reply (the replayed history, events of the moment) is in
  // the snapshot already; everything after it is news (see docs/top.md).
  std::int64_t events_id = 0;
  if (!o_.once) events_id = client_.send("events", {{"path", root_}, {"follow", true}}, [this](const json& e) { on_event(e); });
  if (const int code = load_snapshot(); code != 0) return code;
  if (o_.once) {
    request_tails(true);
    sample_stats();
    print_frame();
    return 0;
  }
  start_live();
  const Reply end = client_.wait(events_id);
  if (end.status == ReplyStatus::DaemonError) {
    terminal_.leave();
    return fail_reply(end);
  }
  quit(end.status == ReplyStatus::Lost ? as_int(ExitCode::Unreachable) : 0, "traiod stopped: the event stream ended");
}

int Session::load_snapshot() {
  json args = {{"path", root_}, {"brief", true}};
  if (o_.all) args["all"] = true;
  const Reply ps = client_.call("ps", args);
  if (ps.status != ReplyStatus::Ok) return fail_reply(ps);
  model_.load_snapshot(ps.result.value("node", json::object()));
  snapshot_ = true;
  rows_ = top_rows(model_);
  if (!rows_.empty()) selected_ = rows_.front().node->path;
  return 0;
}

std::vector<std::string> Session::job_rows(std::size_t max, bool live_only) const {
  std::vector<std::string> paths;
  const std::size_t first = interactive_ ? first_row_ : 0;
  const std::size_t count = interactive_ ? body_rows(terminal_.rows()) : rows_.size();
  for (std::size_t i = first; i < rows_.size() && i < first + count && paths.size() < max; ++i)
    if (!rows_[i].node->scope && (!live_only || rows_[i].node->live())) paths.push_back(rows_[i].node->path);
  return paths;
}

// The last line of each job on screen (one `logs` with lines 1 each): the follow stream
// brings only lines written from now on.
void Session::request_tails(bool wait) {
  std::vector<std::int64_t> ids;
  for (const auto& path : job_rows(kTailsMax)) {
    auto on_reply = [this](const Reply& r) {
      if (r.status != ReplyStatus::Ok) return;
      for (const auto& line : r.result.value("lines", json::array()))
        if (model_.apply_log_line(line, /*only_if_empty=*/true)) schedule_draw();
    };
    if (wait) {
      ids.push_back(client_.send("logs", {{"path", path}, {"lines", 1}}));
    } else {
      client_.send("logs", {{"path", path}, {"lines", 1}}, {}, on_reply);
    }
  }
  for (const auto id : ids) {
    const Reply r = client_.wait(id);
    if (r.status != ReplyStatus::Ok) continue;
    for (const auto& line : r.result.value("lines", json::array())) model_.apply_log_line(line, true);
  }
}

void Session::start_live() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGHUP);
  if (interactive_) {
    signals_.add(SIGWINCH);
    if (!terminal_.enter()) quit(as_int(ExitCode::Usage), "top: cannot set up the terminal");
    // Keys are read from a descriptor of our own: asio makes it non-blocking, and stdin
    // shares its open file (O_NONBLOCK included) with stdout and with the shell that
    // started us, which would lose its output to EAGAIN after we exit.
    int keys = ::open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (keys < 0) keys = ::open(::ttyname(STDIN_FILENO), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (keys < 0) quit(as_int(ExitCode::Usage), "top: cannot open the terminal for reading keys");
    stdin_.assign(keys);
    read_keys();
  }
  signals_.async_wait([this](boost::system::error_code ec, int signo) {
    if (!ec) on_signal(signo);
  });
  client_.send("logs", {{"path", root_}, {"follow", true}, {"lines", 0}},
               [this](const json& line) { on_log_line(line); });
  request_tails(false);
  sample_stats();
  arm_tick();
  arm_stats();
  next_frame_ = Steady::now();
  if (interactive_) {
    draw();
  } else {
    print_frame();
  }
}

void Session::on_event(const json& event) {
  if (!snapshot_) return;  // before the snapshot's reply: in it already
  if (model_.apply_event(event)) schedule_draw();
}

void Session::on_log_line(const json& line) {
  if (model_.apply_log_line(line)) schedule_draw();
  if (log_path_.empty()) return;
  const std::string path = line.value("path", "");
  if (!under(path, log_path_)) return;
  std::string text = path == log_path_ ? std::string() : "[" + path + "] ";
  log_lines_.push_back(text + line.value("line", ""));
  if (log_lines_.size() > kLogPaneMax) log_lines_.pop_front();
  schedule_draw();
}

// CPU and memory of the job rows on screen. A daemon without the `stats` op (unknown_op)
// is asked once: the columns then stay "-".
void Session::sample_stats() {
  if (!stats_supported_ || stats_in_flight_) return;
  const auto paths = job_rows(kStatsMax, /*live_only=*/true);  // an ended job has no usage to sample
  if (paths.empty()) return;
  json args = {{"paths", paths}};
  if (o_.once) {
    const Reply r = client_.call("stats", args);
    if (r.status == ReplyStatus::Ok) model_.apply_stats(r.result, Steady::now());
    return;
  }
  stats_in_flight_ = true;
  client_.send("stats", args, {}, [this](const Reply& r) {
    stats_in_flight_ = false;
    if (r.status == ReplyStatus::DaemonError && r.error.code == ErrorCode::UnknownOp) stats_supported_ = false;
    if (r.status == ReplyStatus::Ok && model_.apply_stats(r.result, Steady::now())) schedule_draw();
  });
}

void Session::arm_tick() {
  tick_.expires_after(kTick);
  tick_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const auto now = Steady::now();
    const double seconds = std::chrono::duration<double>(now - tick_at_).count();
    if (seconds > 0) events_per_second_ = static_cast<double>(model_.events_seen() - events_at_tick_) / seconds;
    events_at_tick_ = model_.events_seen();
    tick_at_ = now;
    if (!o_.all) model_.prune_ended(WallClock::now(), kLinger);
    if (interactive_) {
      schedule_draw();
    } else if (now >= next_frame_) {
      print_frame();
    }
    arm_tick();
  });
}

void Session::arm_stats() {
  stats_timer_.expires_after(kStatsEvery);
  stats_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    sample_stats();
    arm_stats();
  });
}

void Session::read_keys() {
  stdin_.async_read_some(asio::buffer(key_buffer_), [this](boost::system::error_code ec, std::size_t n) {
    if (ec) quit(0);  // the terminal went away
    key_bytes_.append(key_buffer_.data(), n);
    for (const auto& key : decode_keys(key_bytes_)) on_key(key);
    schedule_draw();
    read_keys();
  });
}

void Session::on_signal(int signo) {
  if (signo == SIGWINCH) {
    schedule_draw();
    signals_.async_wait([this](boost::system::error_code ec, int s) {
      if (!ec) on_signal(s);
    });
    return;
  }
  quit(0);
}

void Session::schedule_draw() {
  if (!interactive_ || draw_pending_) return;
  draw_pending_ = true;
  redraw_.expires_after(kRedrawDelay);
  redraw_.async_wait([this](boost::system::error_code ec) {
    draw_pending_ = false;
    if (!ec) draw();
  });
}

TopScreen Session::screen(std::size_t width, std::size_t height) const {
  TopScreen s;
  s.width = width;
  s.height = height;
  s.daemon_version = version_;
  s.now = WallClock::now();
  s.events_per_second = o_.once ? -1 : events_per_second_;
  return s;
}

void Session::draw() {
  rows_ = top_rows(model_);
  TopScreen s = screen(terminal_.columns(), terminal_.rows());
  s.colour = stdout_colour();
  if (!log_path_.empty()) return terminal_.draw(render_log_pane(log_path_, log_lines_, s));
  // The selection follows its node; when the node went, the row at its place.
  const auto it = std::find_if(rows_.begin(), rows_.end(), [&](const TopRow& r) { return r.node->path == selected_; });
  if (it != rows_.end()) {
    selected_index_ = static_cast<std::size_t>(it - rows_.begin());
  } else if (!rows_.empty()) {
    selected_index_ = std::min(selected_index_, rows_.size() - 1);
    selected_ = rows_[selected_index_].node->path;
  }
  first_row_ = scroll_for(selected_index_, first_row_, body_rows(s.height), rows_.size());
  s.interactive = true;
  s.selected = selected_;
  s.first_row = first_row_;
  s.status = status_;
  terminal_.draw(render_top(model_, rows_, s));
}

void Session::print_frame() {
  rows_ = top_rows(model_);
  // --once on a terminal: its width; a pipe or a file: $COLUMNS or 160.
  TopScreen s = screen(::isatty(STDOUT_FILENO) == 1 ? terminal_.columns() : plain_width(), 0);
  s.colour = stdout_colour();
  std::string out;
  for (const auto& line : render_top(model_, rows_, s)) out += line + '\n';
  if (!o_.once) out += '\n';  // frames apart
  std::cout << out << std::flush;
  if (o_.once) return;
  ++frames_printed_;
  next_frame_ = Steady::now() + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(o_.interval));
  if (o_.frames > 0 && frames_printed_ >= o_.frames) quit(0);
}

// Out of the middle of the loop: the terminal put back, then exit (nothing else to undo;
// the daemon forgets this connection's follow streams when it closes).
void Session::quit(int code, const std::string& message) {
  terminal_.leave();
  std::cout << std::flush;
  if (!message.empty()) fail_text(code == 0 ? ExitCode::Success : static_cast<ExitCode>(code), message);
  std::exit(code);
}


}  // namespace top_detail

int run_top_session(const Context& ctx, const TopOptions& options, bool interactive) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  top_detail::Session session(ctx, options, *conn, interactive);
  return session.run();
}

}  // namespace traio::cli
