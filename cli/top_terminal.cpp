#include "cli/top_terminal.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace traio::cli {

namespace {

constexpr std::string_view kEnter = "\033[?1049h\033[?25l\033[H\033[2J";  // alternate screen, cursor off
constexpr std::string_view kLeave = "\033[0m\033[?25h\033[?1049l";      // cursor on, main screen back

// The terminal to restore at exit (std::exit from a key or a signal handler's path).
Terminal* g_active = nullptr;

// All of it, or a frame cut in the middle of an escape sequence garbles what follows.
// stdout may be non-blocking (someone else's O_NONBLOCK on the terminal): wait for room.
void write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd out{STDOUT_FILENO, POLLOUT, 0};
      ::poll(&out, 1, 1000);
    } else {
      return;
    }
  }
}

winsize window_size() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) {
    ws.ws_row = 24;
    ws.ws_col = 80;
  }
  return ws;
}

}  // namespace

std::vector<KeyPress> decode_keys(std::string& pending) {
  std::vector<KeyPress> keys;
  std::size_t i = 0;
  while (i < pending.size()) {
    const char c = pending[i];
    if (c != '\033') {
      if (c == '\r' || c == '\n') {
        keys.push_back({Key::Enter, c});
      } else if (c == 3) {
        keys.push_back({Key::Interrupt, c});
      } else {
        keys.push_back({Key::Char, c});
      }
      ++i;
      continue;
    }
    if (i + 1 == pending.size()) {  // a lone ESC: the key itself (sequences come in one read)
      keys.push_back({Key::Escape, c});
      ++i;
      continue;
    }
    if (pending[i + 1] != '[' && pending[i + 1] != 'O') {
      keys.push_back({Key::Escape, c});
      ++i;
      continue;
    }
    // CSI / SS3: parameters, then a final byte in 0x40..0x7e.
    std::size_t end = i + 2;
    while (end < pending.size() && !(pending[end] >= 0x40 && pending[end] <= 0x7e)) ++end;
    if (end == pending.size()) break;  // unfinished: wait for the rest
    const std::string_view seq(pending.data() + i + 2, end - i - 1);
    if (seq == "A") keys.push_back({Key::Up, 0});
    else if (seq == "B") keys.push_back({Key::Down, 0});
    else if (seq == "5~") keys.push_back({Key::PageUp, 0});
    else if (seq == "6~") keys.push_back({Key::PageDown, 0});
    else if (seq == "H" || seq == "1~") keys.push_back({Key::Home, 0});
    else if (seq == "F" || seq == "4~") keys.push_back({Key::End, 0});
    i = end + 1;  // others (function keys, mouse) are ignored
  }
  pending.erase(0, i);
  return keys;
}

bool Terminal::enter() {
  if (active_) return true;
  if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return false;
  termios raw = saved_;
  // No echo, no line editing, no signals from keys (Ctrl-C comes as a byte: quit cleanly),
  // no CR/LF translation of input; output processing stays (our "\r\n" is plain).
  raw.c_lflag &= static_cast<tcflag_t>(~(ECHO | ICANON | ISIG | IEXTEN));
  raw.c_iflag &= static_cast<tcflag_t>(~(IXON | ICRNL | INLCR | ISTRIP));
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) return false;
  active_ = true;
  g_active = this;
  static const bool registered = [] {
    std::atexit([] {
      if (g_active != nullptr) g_active->leave();
    });
    return true;
  }();
  (void)registered;
  write_all(kEnter);
  return true;
}

void Terminal::leave() {
  if (!active_) return;
  active_ = false;
  if (g_active == this) g_active = nullptr;
  write_all(kLeave);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

std::size_t Terminal::rows() const { return window_size().ws_row; }
std::size_t Terminal::columns() const { return window_size().ws_col; }

void Terminal::draw(const std::vector<std::string>& lines) const {
  std::string out = "\033[H";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    out += "\033[K";
    if (i + 1 < lines.size()) out += "\r\n";
  }
  out += "\033[J";
  write_all(out);
}

}  // namespace traio::cli
