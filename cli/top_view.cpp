#include "cli/top_view.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "cli/render_tree.hpp"

namespace traio::cli {

namespace {

constexpr std::size_t kGutter = 2;
constexpr std::size_t kState = 16;
constexpr std::size_t kCpu = 6;
constexpr std::size_t kMem = 7;
constexpr std::size_t kRestarts = 8;
constexpr std::size_t kAge = 7;
constexpr std::size_t kMinName = 12;
constexpr std::size_t kChrome = 3;  // header, column titles, status line

const char* const kReset = "\033[0m";
const char* const kInverse = "\033[7m";
const char* const kBold = "\033[1m";

void collect(const TopModel& model, const TopNode& node, const std::string& prefix, const std::string& branch,
             std::vector<TopRow>& rows) {
  rows.push_back(TopRow{&node, prefix + branch + node.name});
  const std::string child_prefix = branch.empty() ? prefix : prefix + (branch == "└─ " ? "   " : "│  ");
  std::vector<const TopNode*> children;
  for (const auto& path : node.children)
    if (const TopNode* child = model.find(path)) children.push_back(child);
  for (std::size_t i = 0; i < children.size(); ++i)
    collect(model, *children[i], child_prefix, i + 1 == children.size() ? "└─ " : "├─ ", rows);
}

// The STATE cell: the state word, an ended node's outcome, a ready mark, a paused scope.
std::string state_cell(const TopNode& n) {
  if (!n.live()) return n.outcome.empty() ? "done" : n.outcome;
  std::string text = n.state;
  if (n.paused && n.state != "paused") text = "paused, " + text;
  if (n.ready) text += " ✓";
  return text;
}

// The colours `ps` gives these words (render_tree), and magenta for a pause.
std::string_view state_colour(const TopNode& n) {
  if (!n.live()) {
    if (n.outcome == "succeeded") return "\033[32m";
    if (n.outcome == "failed" || n.outcome == "timed_out" || n.outcome == "lost") return "\033[31m";
    if (n.outcome == "cancelled" || n.outcome == "skipped") return "\033[33m";
    return "";
  }
  if (n.paused || n.state == "paused") return "\033[35m";
  if (n.state == "running" || n.state == "open") return "\033[36m";
  if (n.state == "stopping" || n.state == "cancelling") return "\033[33m";
  return "";
}

std::string right(const std::string& text, std::size_t width) {
  const std::size_t w = display_width(text);
  return w >= width ? fit(text, width) : std::string(width - w, ' ') + text;
}

std::string header_line(const TopModel& model, const TopScreen& s) {
  const std::time_t t = WallClock::to_time_t(s.now);
  std::tm local{};
  ::localtime_r(&t, &local);
  std::string line = fmt::format("traio top  traiod {}  {:02}:{:02}:{:02}  {} nodes:",
                                 s.daemon_version.empty() ? "?" : s.daemon_version, local.tm_hour,
                                 local.tm_min, local.tm_sec, model.size());
  for (const auto& [state, count] : model.counts()) line += fmt::format(" {} {}", state, count);
  if (s.events_per_second >= 0) line += fmt::format("  events {:.0f}/s", s.events_per_second);
  return line;
}

struct Widths {
  std::size_t name = kMinName;
  std::size_t log = 0;
};

Widths widths_for(const std::vector<TopRow>& rows, std::size_t width) {
  Widths w;
  std::size_t longest = 4;  // "NAME"
  for (const auto& row : rows) longest = std::max(longest, display_width(row.label));
  w.name = std::max(kMinName, std::min(longest, width / 3));
  const std::size_t fixed = kGutter + w.name + 1 + kState + 1 + kCpu + 1 + kMem + 1 + kRestarts + 1 + kAge + 2;
  w.log = width > fixed ? width - fixed : 0;
  return w;
}

std::string titles(const Widths& w) {
  return std::string(kGutter, ' ') + fit("NAME", w.name, true) + " " + fit("STATE", kState, true) + " " +
         right("CPU%", kCpu) + " " + right("MEM", kMem) + " " + right("RESTARTS", kRestarts) + " " +
         right("AGE", kAge) + "  " + "LAST LOG LINE";
}

std::string row_line(const TopRow& row, const Widths& w, const TopScreen& s, bool selected) {
  const TopNode& n = *row.node;
  const std::string cpu = n.cpu_percent ? fmt::format("{:.1f}", *n.cpu_percent) : "-";
  const std::string mem = n.memory_bytes ? format_bytes(*n.memory_bytes) : "-";
  std::string age = "-";
  if (n.created_at)
    age = format_age(std::chrono::duration_cast<std::chrono::milliseconds>(n.ended_at.value_or(s.now) - *n.created_at));
  const std::string head = (s.interactive && selected ? "> " : std::string(kGutter, ' ')) + fit(row.label, w.name, true) + " ";
  const std::string state = fit(state_cell(n), kState, true);
  std::string line = head + state + " " + right(cpu, kCpu) + " " + right(mem, kMem) + " " +
                     right(n.scope ? "-" : std::to_string(n.restarts), kRestarts) + " " + right(age, kAge) + "  " +
                     fit(printable(n.last_log), w.log);
  line = fit(line, s.width);
  // The colour goes in after the cut (escapes have no width but fit() would count them),
  // and only around a state cell that survived it whole.
  const std::string_view colour = s.colour && !selected ? state_colour(n) : std::string_view{};
  if (!colour.empty() && line.size() >= head.size() + state.size() &&
      line.compare(head.size(), state.size(), state) == 0) {
    line.insert(head.size() + state.size(), kReset);
    line.insert(head.size(), colour);
  }
  return line;
}

std::string trim_right(std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

std::vector<TopRow> top_rows(const TopModel& model) {
  std::vector<TopRow> rows;
  if (const TopNode* root = model.root()) collect(model, *root, "", "", rows);
  return rows;
}

std::size_t body_rows(std::size_t height) { return height > kChrome ? height - kChrome : 1; }

std::size_t scroll_for(std::size_t selected, std::size_t first, std::size_t body, std::size_t rows) {
  if (body == 0) return 0;
  if (selected < first) first = selected;
  if (selected >= first + body) first = selected + 1 - body;
  // No empty space below the last row while rows above are hidden (after rows went away).
  if (rows > body && first > rows - body) first = rows - body;
  if (rows <= body) first = 0;
  return first;
}

std::vector<std::string> render_top(const TopModel& model, const std::vector<TopRow>& rows, const TopScreen& s) {
  const Widths w = widths_for(rows, s.width);
  std::vector<std::string> lines;
  lines.push_back(fit(header_line(model, s), s.width));
  std::string title = fit(titles(w), s.width);
  lines.push_back(s.colour ? kBold + title + kReset : trim_right(title));
  const std::size_t shown = s.height == 0 ? rows.size() : std::min(rows.size() - std::min(rows.size(), s.first_row), body_rows(s.height));
  const std::size_t first = s.height == 0 ? 0 : s.first_row;
  for (std::size_t i = first; i < first + shown; ++i) {
    const bool selected = s.interactive && rows[i].node->path == s.selected;
    std::string line = row_line(rows[i], w, s, selected);
    if (s.colour && selected) {
      line = kInverse + fit(line, s.width, true) + kReset;
    } else {
      line = trim_right(line);
    }
    lines.push_back(std::move(line));
  }
  if (s.height == 0) return lines;
  while (lines.size() + 1 < s.height) lines.emplace_back();
  const std::string help = "↑↓/jk move  PgUp/PgDn  c cancel  r restart  p pause/resume  l logs  q quit";
  const std::string status = fit(s.status.empty() ? help : s.status, s.width);
  lines.push_back(s.colour ? kInverse + fit(status, s.width, true) + kReset : trim_right(status));
  return lines;
}

std::vector<std::string> render_log_pane(const std::string& path, const std::deque<std::string>& log,
                                         const TopScreen& s) {
  std::vector<std::string> lines;
  const std::string title = fit("logs of " + path + "  (q, Esc or l: back to the tree)", s.width);
  lines.push_back(s.colour ? kInverse + fit(title, s.width, true) + kReset : title);
  const std::size_t room = s.height > 1 ? s.height - 1 : 0;
  const std::size_t skip = log.size() > room ? log.size() - room : 0;
  for (std::size_t i = skip; i < log.size(); ++i) lines.push_back(trim_right(fit(printable(log[i]), s.width)));
  return lines;
}

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\t') {
      out += ' ';
    } else if (u < 0x20 || u == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

std::string fit(const std::string& text, std::size_t width, bool pad) {
  const std::size_t w = display_width(text);
  if (w <= width) return pad ? text + std::string(width - w, ' ') : text;
  if (width == 0) return "";
  // Keep width-1 code points, then the ellipsis.
  std::string out;
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if ((u & 0xC0) != 0x80) {
      if (columns == width - 1) break;
      ++columns;
    }
    out += text[i];
  }
  return out + "…";
}

std::string format_bytes(long long bytes) {
  if (bytes < 0) return "-";
  if (bytes < 1024) return fmt::format("{}B", bytes);
  const char* units = "KMGT";
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  return value < 10 ? fmt::format("{:.1f}{}", value, units[unit]) : fmt::format("{:.0f}{}", value, units[unit]);
}

}  // namespace traio::cli
