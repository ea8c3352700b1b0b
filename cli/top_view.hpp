#pragma once
// `traioctl top`'s screen from its model: lines of text cut to the terminal's width, with
// ANSI colours when asked. Pure (the time comes in), so unit-tested without a terminal.
#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "cli/top_model.hpp"

namespace traio::cli {

// One row of the tree: the node and its label (box-drawing branches + name, as `ps`).
struct TopRow {
  const TopNode* node = nullptr;
  std::string label;
};
// Depth-first from the model's root, children in creation order.
std::vector<TopRow> top_rows(const TopModel& model);

struct TopScreen {
  std::size_t width = 120;
  std::size_t height = 0;        // 0: every row, no status line (plain output, `--once`)
  bool colour = false;
  bool interactive = false;      // the selection gutter and the key help
  std::string selected;          // the selected row's path
  std::size_t first_row = 0;     // scrolled: the first body row shown
  std::string daemon_version;
  WallClock::time_point now;
  std::string status;            // the bottom line; the key help when empty
  double events_per_second = -1; // < 0: not shown
};

// Rows of the body on a screen of `height` lines (header, column titles and status take 3).
std::size_t body_rows(std::size_t height);
// The first row to show so that `selected` is on screen, moving `first` as little as it can.
std::size_t scroll_for(std::size_t selected, std::size_t first, std::size_t body, std::size_t rows);

// The whole screen, one string per line, none wider than `screen.width` columns.
std::vector<std::string> render_top(const TopModel& model, const std::vector<TopRow>& rows,
                                    const TopScreen& screen);
// The log pane (`l`): a title, then the newest lines that fit.
std::vector<std::string> render_log_pane(const std::string& path, const std::deque<std::string>& lines,
                                         const TopScreen& screen);

// Job output made safe for a terminal: control characters (escape sequences!) shown as '?',
// tabs as a space.
std::string printable(const std::string& text);
// `text` cut to `width` display columns, "…" marking the cut; padded with spaces to `width`
// when `pad`.
std::string fit(const std::string& text, std::size_t width, bool pad = false);
// "512B", "12K", "3.4M", "1.2G".
std::string format_bytes(long long bytes);

}  // namespace traio::cli
