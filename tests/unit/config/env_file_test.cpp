// SPEC §6 "Re-run": `env_file` KEY=VALUE lines (config/env_file.hpp) and their resolution
// into `env` where the submitter may read the file (config/env_files.hpp).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "config/env_file.hpp"
#include "config/env_files.hpp"
#include "spec_test_support.hpp"

namespace traio {
namespace {

using nlohmann::json;
using spec_test::errors_of;
using spec_test::has;

std::map<std::string, std::string> vars_of(std::string_view text) {
  auto parsed = parse_env_file(text);
  if (const auto* error = std::get_if<EnvFileLineError>(&parsed)) FAIL("line " << error->line << ": " << error->message);
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : std::get<EnvAssignments>(parsed)) out[k] = v;
  return out;
}

EnvFileLineError error_of(std::string_view text) {
  auto parsed = parse_env_file(text);
  REQUIRE(std::holds_alternative<EnvFileLineError>(parsed));
  return std::get<EnvFileLineError>(parsed);
}

// A directory of env files, removed with everything in it.
struct EnvDir {
  std::filesystem::path dir;
  EnvDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "traio-envfile-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
  }
  ~EnvDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

std::vector<std::string> resolve_errors(json& spec, const std::string& base) {
  std::vector<std::string> out;
  for (const auto& e : resolve_env_files(spec, base)) out.push_back(format_parse_error(e));
  return out;
}

}  // namespace

TEST_CASE("env_file: KEY=VALUE lines, comments and blank lines skipped, export accepted") {
  auto vars = vars_of("# a comment\n; another\n\nA=1\n  export B=two words  \nC = spaced\r\nD=\n");
  CHECK(vars == std::map<std::string, std::string>{{"A", "1"}, {"B", "two words"}, {"C", "spaced"}, {"D", ""}});
}

TEST_CASE("env_file: quoted values -- single quotes literal, double quotes with backslash escapes") {
  auto vars = vars_of("S='a \\\"b\\\" $HOME # x'\nD=\"say \\\"hi\\\" \\\\ $HOME\" # comment\nU=a#b $X\n");
  CHECK(vars.at("S") == "a \\\"b\\\" $HOME # x");
  CHECK(vars.at("D") == "say \"hi\" \\ $HOME");
  CHECK(vars.at("U") == "a#b $X");  // unquoted: taken as is, nothing expanded
}

TEST_CASE("env_file: a later line wins over an earlier one for the same key") {
  CHECK(vars_of("A=1\nA=2").at("A") == "2");
}

TEST_CASE("env_file: a bad line is an error with its line number") {
  auto e = error_of("A=1\n\nnot an assignment\n");
  CHECK(e.line == 3);
  CHECK(e.message == "expected KEY=VALUE, got 'not an assignment'");
  CHECK(error_of("1A=x").message.find("not a variable name") != std::string::npos);
  CHECK(error_of("A=x\nB=\"open").line == 2);
  CHECK(error_of("B=\"open").message.find("unterminated double quote") != std::string::npos);
  CHECK(error_of("B='x' y").message.find("unexpected text after the closing quote") != std::string::npos);
}

TEST_CASE("env_file: resolved into env -- explicit env wins, later files win over earlier ones") {
  EnvDir d;
  d.write("a.env", "A=from-a\nB=from-a\nC=from-a\n");
  d.write("b.env", "B=from-b\nC=from-b\n");
  json job = {{"argv", {"x"}}, {"env_file", {"a.env", (d.dir / "b.env").string()}}, {"env", {{"C", "explicit"}}}};
  CHECK(resolve_errors(job, d.dir.string()).empty());
  CHECK_FALSE(job.contains("env_file"));
  CHECK(job["env"] == json{{"A", "from-a"}, {"B", "from-b"}, {"C", "explicit"}});
}

TEST_CASE("env_file: every process job of a tree is resolved, with paths relative to the tree file") {
  EnvDir d;
  d.write("app.env", "PORT=8080\n");
  json tree = {{"name", "t"},
               {"children", {{{"name", "a"}, {"argv", {"x"}}, {"env_file", "app.env"}},
                             {{"name", "s"}, {"children", {{{"name", "b"}, {"argv", {"y"}}, {"env_file", "app.env"}}}}}}}};
  CHECK(resolve_errors(tree, d.dir.string()).empty());
  CHECK(tree["children"][0]["env"]["PORT"] == "8080");
  CHECK(tree["children"][1]["children"][0]["env"]["PORT"] == "8080");
}

TEST_CASE("env_file: a missing file or a bad line names the field, the file and the line") {
  EnvDir d;
  const std::string bad = d.write("bad.env", "OK=1\noops\n");
  json tree = {{"children", {{{"argv", {"x"}}, {"env_file", "missing.env"}}, {{"argv", {"y"}}, {"env_file", "bad.env"}}}}};
  auto errs = resolve_errors(tree, d.dir.string());
  CHECK(has(errs, "children[0].env_file: " + (d.dir / "missing.env").string() + ": cannot read: No such file or directory"));
  CHECK(has(errs, "children[1].env_file: " + bad + ":2: expected KEY=VALUE, got 'oops'"));
}

TEST_CASE("env_file: wrong types, scopes and non-process jobs are errors") {
  json wrong = {{"argv", {"x"}}, {"env_file", 5}};
  CHECK(has(resolve_errors(wrong, "/"), "env_file: expected path or array of paths, got number"));
  json sleep = {{"kind", "sleep"}, {"duration", "1s"}, {"env_file", "/dev/null"}};
  CHECK(has(resolve_errors(sleep, "/"), "env_file: only a process job has an environment"));
  json scope = {{"env_file", "/dev/null"}, {"children", json::array()}};
  CHECK(has(resolve_errors(scope, "/"), "env_file: not valid for a scope (give it to each process job)"));
}

TEST_CASE("env_file: in a request (not resolved by traioctl) it is refused, saying traioctl reads it") {
  CHECK(has(errors_of(R"({"argv": ["x"], "env_file": "/etc/shadow"})"),
            "env_file: " + std::string(kEnvFileNotHere)));
}

TEST_CASE("delay: a duration on a job or a scope, written back by to_json") {
  using spec_test::parse_ok;
  NodeSpec tree = parse_ok(R"({"delay": "2s", "children": [{"name": "a", "argv": ["x"], "delay": 1.5}]})");
  CHECK(tree.delay() == std::optional<Duration>(std::chrono::seconds(2)));
  const auto& job = std::get<JobSpec>(std::get<ScopeSpec>(tree.node).children.at(0).node);
  CHECK(job.delay == std::optional<Duration>(std::chrono::milliseconds(1500)));
  CHECK(to_json(job)["delay"] == "1.5s");
  CHECK(has(errors_of(R"({"argv": ["x"], "delay": "-1s"})"), "delay: negative duration '-1s'"));
}

}  // namespace traio
