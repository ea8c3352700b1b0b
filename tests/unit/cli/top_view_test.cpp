// `traioctl top`'s screen: rows as a tree, columns cut to the width, colours only when asked.
#include <doctest/doctest.h>

#include "cli/render_tree.hpp"
#include "cli/top_view.hpp"

using nlohmann::json;
using namespace traio::cli;

namespace {

TopModel sample() {
  TopModel model;
  model.load_snapshot(
      {{"path", "/"}, {"type", "scope"}, {"state", "open"}, {"created_at", "2026-11-26T12:00:00.000Z"},
       {"children",
        {{{"path", "/ci"}, {"type", "scope"}, {"state", "finalized"}, {"created_at", "2026-11-26T12:59:00.000Z"},
          {"children",
           {{{"path", "/ci/unit"}, {"type", "job"}, {"state", "running"}, {"created_at", "2026-11-26T12:59:00.000Z"},
             {"started_at", "2026-11-26T12:59:00.000Z"}},
            {{"path", "/ci/lint"}, {"type", "job"}, {"state", "done"}, {"outcome", "failed"},
             {"created_at", "2026-11-26T12:59:00.000Z"}, {"ended_at", "2026-11-26T12:59:30.000Z"}}}}},
         {{"path", "/web"}, {"type", "job"}, {"state", "running"}, {"created_at", "2026-11-26T12:58:00.000Z"}}}}});
  model.apply_log_line({{"path", "/ci/unit"}, {"line", "test 41 of 90 passed, and a rather long line follows it"}});
  return model;
}

TopScreen plain(std::size_t width) {
  TopScreen s;
  s.width = width;
  s.now = *parse_rfc3339("2026-11-26T13:00:00.000Z");
  s.daemon_version = "0.1.0";
  return s;
}

}  // namespace

TEST_CASE("top view: rows are the tree depth-first with ps's branches") {
  const TopModel model = sample();
  const auto rows = top_rows(model);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].label == "/");
  CHECK(rows[1].label == "├─ ci");
  CHECK(rows[2].label == "│  ├─ unit");
  CHECK(rows[3].label == "│  └─ lint");
  CHECK(rows[4].label == "└─ web");
}

TEST_CASE("top view: plain output has the header, the titles and one line per node with its columns") {
  const TopModel model = sample();
  const auto lines = render_top(model, top_rows(model), plain(160));
  REQUIRE(lines.size() == 2 + 5);
  CHECK(lines[0].find("traiod 0.1.0") != std::string::npos);
  CHECK(lines[0].find("running 2") != std::string::npos);
  CHECK(lines[0].find("failed 1") != std::string::npos);
  for (const char* title : {"NAME", "STATE", "CPU%", "MEM", "RESTARTS", "AGE", "LAST LOG LINE"})
    CHECK(lines[1].find(title) != std::string::npos);
  CHECK(lines[4].find("running") != std::string::npos);
  CHECK(lines[4].find("1m0s") != std::string::npos);
  CHECK(lines[4].find("test 41 of 90 passed") != std::string::npos);
  CHECK(lines[5].find("failed") != std::string::npos);
  CHECK(lines[5].find("30s") != std::string::npos);  // an ended node's age stops at its end
}

TEST_CASE("top view: no line is wider than the screen -- the log line is cut with an ellipsis") {
  const TopModel model = sample();
  for (const std::size_t width : {40u, 80u, 100u}) {
    for (const auto& line : render_top(model, top_rows(model), plain(width))) CHECK(display_width(line) <= width);
  }
  const auto lines = render_top(model, top_rows(model), plain(100));
  CHECK(lines[4].find("…") != std::string::npos);
}

TEST_CASE("top view: colours only when asked -- the state coloured as ps colours it") {
  const TopModel model = sample();
  TopScreen s = plain(120);
  for (const auto& line : render_top(model, top_rows(model), s)) CHECK(line.find('\033') == std::string::npos);
  s.colour = true;
  const auto lines = render_top(model, top_rows(model), s);
  CHECK(lines[4].find("\033[36mrunning") != std::string::npos);
  CHECK(lines[5].find("\033[31mfailed") != std::string::npos);
}

TEST_CASE("top view: interactive screen fills the height, marks the selection and ends with the key help") {
  const TopModel model = sample();
  TopScreen s = plain(120);
  s.height = 12;
  s.interactive = true;
  s.selected = "/ci/unit";
  const auto lines = render_top(model, top_rows(model), s);
  REQUIRE(lines.size() == 12);
  CHECK(lines[4].rfind("> ", 0) == 0);
  CHECK(lines[3].rfind("  ", 0) == 0);
  CHECK(lines.back().find("q quit") != std::string::npos);
  s.status = "cancel /ci/unit? y: yes";
  CHECK(render_top(model, top_rows(model), s).back() == "cancel /ci/unit? y: yes");
}

TEST_CASE("top view: a screen shorter than the tree shows the scrolled rows only") {
  const TopModel model = sample();
  TopScreen s = plain(120);
  s.height = 5;  // two body rows
  s.interactive = true;
  s.first_row = 2;
  const auto lines = render_top(model, top_rows(model), s);
  REQUIRE(lines.size() == 5);
  CHECK(lines[2].find("unit") != std::string::npos);
  CHECK(lines[3].find("lint") != std::string::npos);
}

TEST_CASE("top view: scrolling keeps the selection on screen and moves as little as it can") {
  CHECK(scroll_for(0, 0, 10, 50) == 0);
  CHECK(scroll_for(12, 0, 10, 50) == 3);
  CHECK(scroll_for(5, 3, 10, 50) == 3);
  CHECK(scroll_for(1, 3, 10, 50) == 1);
  CHECK(scroll_for(4, 40, 10, 12) == 2);  // rows went away: no empty space below
  CHECK(scroll_for(3, 2, 10, 5) == 0);
}

TEST_CASE("top view: job output cannot drive the terminal -- control characters are shown as ?") {
  CHECK(printable("a\033[2Jb\tc\x7f") == "a?[2Jb c?");
}

TEST_CASE("top view: fit cuts by display columns and pads when asked") {
  CHECK(fit("abcdef", 4) == "abc…");
  CHECK(fit("├─ x", 4) == "├─ x");
  CHECK(fit("├─ xy", 4) == "├─ …");
  CHECK(fit("ab", 4, true) == "ab  ");
  CHECK(fit("abc", 0).empty());
}

TEST_CASE("top view: memory is shown in binary units") {
  CHECK(format_bytes(512) == "512B");
  CHECK(format_bytes(4096) == "4.0K");
  CHECK(format_bytes(50LL * 1024 * 1024) == "50M");
  CHECK(format_bytes(3LL * 1024 * 1024 * 1024 / 2) == "1.5G");
}

TEST_CASE("top view: the log pane shows its path and the newest lines that fit") {
  TopScreen s = plain(60);
  s.height = 3;
  const std::deque<std::string> log = {"one", "two", "three"};
  const auto lines = render_log_pane("/web", log, s);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("logs of /web") == 0);
  CHECK(lines[1] == "two");
  CHECK(lines[2] == "three");
}
