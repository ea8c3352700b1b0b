// `ps --graph` (SPEC §6 dependencies): siblings in stages of `after`, each row naming what it
// waits for and whether that held.
#include <doctest/doctest.h>

#include "cli/render_graph.hpp"

using nlohmann::json;
using namespace traio::cli;

namespace {

const WallClock::time_point kNow = *parse_rfc3339("2026-11-25T16:40:00.000Z");

json job(const std::string& name, const std::string& state, const std::string& outcome, json after = json::array()) {
  json j = {{"name", name}, {"type", "job"}, {"state", state}, {"after", std::move(after)}};
  if (!outcome.empty()) j["outcome"] = outcome;
  return j;
}

json edge(const std::string& name, const std::string& when, bool met) {
  return {{"name", name}, {"when", when}, {"met", met}};
}

}  // namespace

TEST_CASE("ps --graph: a pipeline is drawn in stages, each step naming what it waited for") {
  json root = {{"path", "/pipeline"}, {"type", "scope"}, {"state", "done"}, {"outcome", "succeeded"},
               {"children",
                {job("build", "done", "succeeded"),
                 job("unit", "done", "succeeded", {edge("build", "succeeded", true)}),
                 job("lint", "done", "succeeded", {edge("build", "succeeded", true)}),
                 job("package", "done", "succeeded", {edge("unit", "succeeded", true), edge("lint", "succeeded", true)}),
                 job("alert", "done", "skipped", {edge("package", "failed", false)}),
                 job("migrate", "done", "succeeded")}}};
  CHECK(render_graph(root, kNow) ==
        "/pipeline  done, succeeded\n"
        "  stage 1\n"
        "    build    done, succeeded\n"
        "    migrate  done, succeeded\n"
        "  stage 2\n"
        "    unit     done, succeeded  <- build succeeded (met)\n"
        "    lint     done, succeeded  <- build succeeded (met)\n"
        "  stage 3\n"
        "    package  done, succeeded  <- unit succeeded (met), lint succeeded (met)\n"
        "  stage 4\n"
        "    alert    done, skipped    <- package failed (never)\n");
}

TEST_CASE("ps --graph: a live node says what it still waits for, and a sub-scope's graph follows its row") {
  json inner = {{"name", "tests"}, {"type", "scope"}, {"state", "open"},
                {"after", {edge("db", "ready", true)}},
                {"children", {job("a", "running", ""), job("b", "pending", "", {edge("a", "succeeded", false)})}}};
  json root = {{"path", "/s"}, {"type", "scope"}, {"state", "open"},
               {"children", {job("db", "running", ""), inner}}};
  CHECK(render_graph(root, kNow) ==
        "/s  open\n"
        "  stage 1\n"
        "    db     running\n"
        "  stage 2\n"
        "    tests  open     <- db ready (met)\n"
        "      stage 1\n"
        "        a  running\n"
        "      stage 2\n"
        "        b  pending on a  <- a succeeded (waiting)\n");
}

TEST_CASE("ps --graph: a scope without children is its own line") {
  CHECK(render_graph(json{{"path", "/"}, {"type", "scope"}, {"state", "open"}, {"children", json::array()}}, kNow) ==
        "/  open\n");
}
