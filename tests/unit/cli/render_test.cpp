#include <doctest/doctest.h>

#include "cli/render_node.hpp"
#include "cli/render_tree.hpp"

using nlohmann::json;
using namespace traio::cli;
using std::chrono::milliseconds;

TEST_CASE("ages read like 12s and 3m4s") {
  CHECK(format_age(milliseconds(250)) == "250ms");
  CHECK(format_age(milliseconds(12'400)) == "12s");
  CHECK(format_age(milliseconds(184'000)) == "3m4s");
  CHECK(format_age(milliseconds(7'500'000)) == "2h5m");
  CHECK(format_age(milliseconds(-5)) == "0ms");
}

TEST_CASE("RFC 3339 times parse with fractions and offsets") {
  const auto utc = parse_rfc3339("2026-11-25T16:40:00.123Z");
  REQUIRE(utc);
  CHECK(std::chrono::duration_cast<milliseconds>(utc->time_since_epoch()).count() % 1000 == 123);
  const auto offset = parse_rfc3339("2026-11-25T17:40:00.123+01:00");
  REQUIRE(offset);
  CHECK(*offset == *utc);
  CHECK_FALSE(parse_rfc3339("yesterday"));
  CHECK_FALSE(parse_rfc3339("2026-11-25T16:40:00"));
}

TEST_CASE("wait lines: path, outcome, exit code") {
  CHECK(wait_line(json{{"path", "/a"}, {"outcome", "failed"}, {"exit_code", 2}}) == "/a failed exit code 2");
  CHECK(wait_line(json{{"path", "/a"}, {"outcome", "succeeded"}, {"exit_code", nullptr}}) == "/a succeeded");
  CHECK(wait_line(json{{"path", "/a"}, {"state", "running"}, {"outcome", nullptr}}) == "/a running");
}

TEST_CASE("cause chains print one link per line down to the deciding job") {
  const json cause = {{"path", "/ci/tests"}, {"outcome", "failed"}, {"message", "child failed"},
                      {"cause", {{"path", "/ci/tests/unit"}, {"outcome", "failed"},
                                 {"message", "exited with code 2"}, {"exit_code", 2}}}};
  CHECK(cause_lines(cause, "  ") ==
        "  caused by /ci/tests: failed: child failed\n"
        "  caused by /ci/tests/unit: failed: exited with code 2 (exit code 2)\n");
}

TEST_CASE("inspect prints key: value lines, identity first") {
  const json node = {{"path", "/a"}, {"name", "a"}, {"type", "job"}, {"pid", 42}, {"signal", nullptr}};
  const std::string text = inspect_text(node);
  CHECK(text.rfind("path: /a\nname: a\ntype: job\n", 0) == 0);
  CHECK(text.find("pid: 42\n") != std::string::npos);
  CHECK(text.find("signal: -\n") != std::string::npos);
}

TEST_CASE("ps draws the tree with aligned columns and no colour when off") {
  const json root = {
      {"path", "/"}, {"name", ""}, {"type", "scope"}, {"kind", "scope"}, {"state", "open"},
      {"outcome", nullptr}, {"pid", nullptr},
      {"children",
       {{{"path", "/ci"}, {"name", "ci"}, {"type", "scope"}, {"kind", "scope"}, {"state", "finalized"},
         {"outcome", nullptr},
         {"children", {{{"path", "/ci/unit"}, {"name", "unit"}, {"type", "job"}, {"kind", "process"},
                        {"state", "done"}, {"outcome", "failed"}, {"pid", 4242}, {"exit_code", 2}}}}},
        {{"path", "/web"}, {"name", "web"}, {"type", "job"}, {"kind", "process"}, {"state", "running"},
         {"outcome", nullptr}, {"pid", 7}}}}};
  const std::string out = render_tree(root, TreeStyle{});
  CHECK(out.find('\033') == std::string::npos);
  CHECK(out.find("├─ ci") != std::string::npos);
  CHECK(out.find("│  └─ unit") != std::string::npos);
  CHECK(out.find("└─ web") != std::string::npos);
  CHECK(out.find("failed") != std::string::npos);
  CHECK(out.find("4242") != std::string::npos);
  // Columns line up: "STATE" starts where every row's state starts.
  const auto header_end = out.find('\n');
  const auto state_col = display_width(out.substr(0, out.find("STATE")));
  const auto unit_line = out.substr(out.find("│  └─ unit"));
  CHECK(display_width(unit_line.substr(0, unit_line.find("done"))) == state_col);
  CHECK(header_end != std::string::npos);
}

TEST_CASE("ps colours states and outcomes only when asked") {
  const json root = {{"path", "/"}, {"type", "scope"}, {"state", "open"}, {"outcome", nullptr},
                     {"children", {{{"path", "/x"}, {"name", "x"}, {"type", "job"}, {"state", "done"},
                                    {"outcome", "failed"}}}}};
  TreeStyle style;
  style.colour = Colour::On;
  CHECK(render_tree(root, style).find("\033[31mfailed\033[0m") != std::string::npos);
}

TEST_CASE("ps adds an OWNER column, by user name, only when the tree holds several users' nodes") {
  json root = {{"path", "/"}, {"type", "scope"}, {"state", "open"}, {"owner_uid", 0},
               {"children", {{{"name", "a"}, {"type", "job"}, {"kind", "process"}, {"state", "running"}, {"owner_uid", 0}}}}};
  const std::string single = render_tree(root, TreeStyle{});
  CHECK(single.find("OWNER") == std::string::npos);
  root["children"].push_back({{"name", "b"}, {"type", "job"}, {"kind", "sleep"}, {"state", "running"}, {"owner_uid", 65534}});
  root["children"].push_back({{"name", "c"}, {"type", "job"}, {"kind", "sleep"}, {"state", "running"}, {"owner_uid", 4242424}});
  const std::string several = render_tree(root, TreeStyle{});
  INFO(several);
  CHECK(several.find("OWNER") != std::string::npos);
  CHECK(several.find("  root\n") != std::string::npos);
  CHECK(several.find("  nobody\n") != std::string::npos);
  CHECK(several.find("  4242424\n") != std::string::npos);  // no passwd entry: the number
}
