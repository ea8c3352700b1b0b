#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "cli/spec_input.hpp"

using nlohmann::json;
using namespace traio::cli;

TEST_CASE("spawn flags override the file's fields") {
  SpawnFlags flags;
  flags.name = "api";
  flags.master = true;
  flags.no_bubble = true;
  flags.no_await = true;
  flags.timeout = "90";
  flags.env = {"A=1", "B=x=y"};
  flags.cwd = "sub";
  const json file = {{"name", "old"}, {"argv", {"true"}}, {"bubble", true}, {"env", {{"A", "0"}, {"C", "3"}}}};
  auto job = apply_spawn_flags(file, flags, "/home/u");
  REQUIRE(job);
  CHECK((*job)["name"] == "api");
  CHECK((*job)["master"] == true);
  CHECK((*job)["bubble"] == false);
  CHECK((*job)["awaited"] == false);
  CHECK((*job)["timeout"] == "1m30s");
  CHECK((*job)["env"] == json{{"A", "1"}, {"B", "x=y"}, {"C", "3"}});
  CHECK((*job)["cwd"] == "/home/u/sub");
}

TEST_CASE("spawn flags: bad values are usage errors naming the flag") {
  SpawnFlags bad_env;
  bad_env.env = {"NOEQUALS"};
  auto r1 = apply_spawn_flags(json{{"argv", {"true"}}}, bad_env, "/");
  REQUIRE_FALSE(r1);
  CHECK(r1.error().message.find("--env") != std::string::npos);
  SpawnFlags bad_timeout;
  bad_timeout.timeout = "5x";
  auto r2 = apply_spawn_flags(json{{"argv", {"true"}}}, bad_timeout, "/");
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message.rfind("--timeout", 0) == 0);
  SpawnFlags bad_name;
  bad_name.name = "..";
  CHECK_FALSE(apply_spawn_flags(json{{"argv", {"true"}}}, bad_name, "/"));
}

TEST_CASE("every process job of a tree gets the caller's cwd -- sleeps and set ones are kept") {
  json tree = {{"name", "t"},
               {"children", {{{"argv", {"a"}}},
                             {{"argv", {"b"}}, {"cwd", "/srv"}},
                             {{"argv", {"c"}}, {"cwd", "rel"}},
                             {{"kind", "sleep"}, {"duration", "1s"}},
                             {{"children", {{{"argv", {"d"}}}}}}}}};
  fill_cwd(tree, "/home/u");
  CHECK(tree["children"][0]["cwd"] == "/home/u");
  CHECK(tree["children"][1]["cwd"] == "/srv");
  CHECK(tree["children"][2]["cwd"] == "/home/u/rel");
  CHECK_FALSE(tree["children"][3].contains("cwd"));
  CHECK(tree["children"][4]["children"][0]["cwd"] == "/home/u");
}

TEST_CASE("invalid files report every error with the file name and JSON path") {
  const json tree = {{"name", "t"},
                     {"children", {{{"argv", {"a"}}}, {{"argv", {"b"}}}, {{"argv", 5}, {"bogus", 1}}}}};
  auto st = validate_spec(tree, traio::SpecKind::Tree, "tree.json");
  REQUIRE_FALSE(st);
  const std::string& msg = st.error().message;
  CHECK(msg.find("tree.json: children[2].argv: ") != std::string::npos);
  CHECK(msg.find("tree.json: children[2].bogus: ") != std::string::npos);
  CHECK(msg.find('\n') != std::string::npos);
}

TEST_CASE("read_json_file names the file in its errors") {
  char name[] = "/tmp/traio-cli-test-XXXXXX";
  const int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(name) << "{\"argv\": [";
  auto bad = read_json_file(name);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.rfind(std::string(name) + ": ", 0) == 0);
  std::ofstream(name) << "{\"argv\": [\"true\"]}";
  auto good = read_json_file(name);
  std::remove(name);
  REQUIRE(good);
  CHECK((*good)["argv"][0] == "true");
  CHECK_FALSE(read_json_file(name));
}

TEST_CASE("spawn --restart sets the policy of a job without one") {
  SpawnFlags flags;
  flags.restart = "on-failure";
  auto job = apply_spawn_flags(json{{"argv", {"true"}}}, flags, "/");
  REQUIRE(job);
  CHECK((*job)["restart"] == "on-failure");
  CHECK(validate_spec(*job, traio::SpecKind::Job, "job"));
}

TEST_CASE("spawn --restart overrides the file's policy and keeps its other restart fields") {
  SpawnFlags flags;
  flags.restart = "always";
  const json file = {{"argv", {"true"}},
                     {"restart", {{"policy", "no"}, {"max", 3}, {"window", "10s"}, {"backoff", {{"initial", "1s"}}}}}};
  auto job = apply_spawn_flags(file, flags, "/");
  REQUIRE(job);
  CHECK((*job)["restart"] ==
        json{{"policy", "always"}, {"max", 3}, {"window", "10s"}, {"backoff", {{"initial", "1s"}}}});
  CHECK(validate_spec(*job, traio::SpecKind::Job, "job"));
  SpawnFlags no;
  no.restart = "no";
  auto short_form = apply_spawn_flags(json{{"argv", {"true"}}, {"restart", "always"}}, no, "/");
  REQUIRE(short_form);
  CHECK((*short_form)["restart"] == "no");
}

TEST_CASE("spawn --restart with an unknown policy is a usage error naming the flag") {
  SpawnFlags flags;
  flags.restart = "sometimes";
  auto job = apply_spawn_flags(json{{"argv", {"true"}}}, flags, "/");
  REQUIRE_FALSE(job);
  CHECK(job.error().message == "--restart: expected no, on-failure or always, got 'sometimes'");
}
