// `traioctl top`'s keys: moving the selection, the log pane, and the requests keys make
// (cancel after a confirmation, restart, pause/resume), their replies in the status line.
#include <algorithm>
#include <utility>

#include "cli/top_session_impl.hpp"

namespace traio::cli::top_detail {

void Session::on_key(const KeyPress& key) {
  if (key.key == Key::Interrupt) quit(0);
  if (!log_path_.empty()) {  // the log pane: any of q, Esc, l goes back to the tree
    if (key.key == Key::Escape || (key.key == Key::Char && (key.ch == 'q' || key.ch == 'l'))) {
      log_path_.clear();
      log_lines_.clear();
    }
    return;
  }
  if (!confirm_cancel_.empty()) {
    const std::string path = std::exchange(confirm_cancel_, std::string());
    if (key.key == Key::Char && (key.ch == 'y' || key.ch == 'Y')) {
      act("cancel", path, "cancel sent to " + path);
    } else {
      status_ = "not cancelled";
    }
    return;
  }
  on_tree_key(key);
}

void Session::on_tree_key(const KeyPress& key) {
  const std::size_t page = body_rows(terminal_.rows());
  status_.clear();
  switch (key.key) {
    case Key::Up: return move(-1);
    case Key::Down: return move(1);
    case Key::PageUp: return move(-static_cast<long>(page));
    case Key::PageDown: return move(static_cast<long>(page));
    case Key::Home: return move(-static_cast<long>(rows_.size()));
    case Key::End: return move(static_cast<long>(rows_.size()));
    case Key::Enter: return open_log_pane();
    case Key::Escape:
    case Key::Interrupt: return;
    case Key::Char: break;
  }
  const TopNode* node = selected_node();
  switch (key.ch) {
    case 'q': quit(0);
    case 'k': return move(-1);
    case 'j': return move(1);
    case 'g': return move(-static_cast<long>(rows_.size()));
    case 'G': return move(static_cast<long>(rows_.size()));
    case 'l': return open_log_pane();
    case 'c':
      if (node == nullptr) return;
      if (!node->live()) {
        status_ = node->path + " has ended: nothing to cancel";
        return;
      }
      confirm_cancel_ = node->path;
      status_ = "cancel " + node->path + "? y: yes, any other key: no";
      return;
    case 'r':
      if (node == nullptr) return;
      // `restart` runs an ended node again; a live one would answer name_taken.
      if (node->live()) {
        status_ = node->path + " is " + node->state + ": restart runs an ended node again (cancel it first)";
        return;
      }
      return act("restart", node->path, "restarted " + node->path);
    case 'p':
      if (node == nullptr) return;
      if (node->paused || node->state == "paused") return act("resume", node->path, "resumed " + node->path);
      return act("pause", node->path, "paused " + node->path);
    default: return;
  }
}

void Session::move(long by) {
  if (rows_.empty()) return;
  const long last = static_cast<long>(rows_.size()) - 1;
  const long to = std::clamp(static_cast<long>(selected_index_) + by, 0L, last);
  selected_index_ = static_cast<std::size_t>(to);
  selected_ = rows_[selected_index_].node->path;
}

void Session::open_log_pane() {
  const TopNode* node = selected_node();
  if (node == nullptr) return;
  log_path_ = node->path;
  log_lines_.clear();
  const std::string asked = log_path_;
  // History first; lines the follow stream brings meanwhile come after it.
  client_.send("logs", {{"path", asked}, {"lines", terminal_.rows()}}, {}, [this, asked](const Reply& r) {
    if (log_path_ != asked) return;
    if (r.status != ReplyStatus::Ok) {
      log_lines_.push_front("(" + r.error.message + ")");
      return schedule_draw();
    }
    std::deque<std::string> history;
    for (const auto& line : r.result.value("lines", json::array())) {
      const std::string path = line.value("path", asked);
      history.push_back((path == asked ? std::string() : "[" + path + "] ") + line.value("line", ""));
    }
    log_lines_.insert(log_lines_.begin(), history.begin(), history.end());
    schedule_draw();
  });
}

void Session::act(const std::string& op, const std::string& path, const std::string& done_text) {
  status_ = op + " " + path + " ...";
  client_.send(op, {{"path", path}}, {}, [this, op, done_text](const Reply& r) {
    if (r.status == ReplyStatus::Ok) {
      status_ = done_text;
    } else if (r.status == ReplyStatus::DaemonError) {
      status_ = op + ": " + r.error.message;
    } else {
      status_ = op + ": lost connection to traiod";
    }
    schedule_draw();
  });
}

}  // namespace traio::cli::top_detail
