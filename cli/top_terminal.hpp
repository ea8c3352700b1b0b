#pragma once
// The terminal under `traioctl top`: raw mode (termios), the alternate screen, the cursor
// hidden, and everything put back on leave() (also at exit, and the caller calls it on
// SIGINT/SIGTERM/SIGHUP). No curses: a few ANSI escapes are all top needs.
#include <cstddef>
#include <string>
#include <vector>

#include <termios.h>

namespace traio::cli {

enum class Key { Up, Down, PageUp, PageDown, Home, End, Enter, Escape, Interrupt, Char };

struct KeyPress {
  Key key = Key::Char;
  char ch = 0;  // Key::Char: the byte
};

// Takes the complete key presses off the front of `pending` (bytes read from the terminal);
// an unfinished escape sequence stays for the next read, a lone ESC at the end is Escape.
std::vector<KeyPress> decode_keys(std::string& pending);

class Terminal {
 public:
  Terminal() = default;
  ~Terminal() { leave(); }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Raw input on stdin, alternate screen and hidden cursor on stdout; false (errno) when
  // stdin is not a terminal.
  bool enter();
  // Puts the terminal back as enter() found it; idempotent, async-signal-safe calls only.
  void leave();
  // Rows and columns of stdout's terminal (24x80 when it does not say).
  std::size_t rows() const;
  std::size_t columns() const;
  // Replaces the screen with `lines` (each already cut to the width).
  void draw(const std::vector<std::string>& lines) const;

 private:
  bool active_ = false;
  termios saved_{};
};

}  // namespace traio::cli
