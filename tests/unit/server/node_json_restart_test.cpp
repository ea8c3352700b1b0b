// inspect/ps node objects for issue 5: restarts, the next attempt, the last exit, `after`
// edges with whether each is met, and whether a ready probe runs.
#include <doctest/doctest.h>

#include "daemon/server/node_json.hpp"
#include "daemon/server/time_format.hpp"

namespace traio {

namespace {

using namespace std::chrono_literals;

struct Fixture {
  ScopeTree tree;
  Now now{SteadyTime{} + 1000s, WallTime{} + 1000s};
  Effects out;

  NodeId spawn(JobSpec spec) {
    auto r = tree.spawn(now, kRootId, std::move(spec), {}, 0, out);
    REQUIRE(r.ok());
    return *r;
  }
  nlohmann::json json_of(NodeId id) { return node_json(tree, *tree.find(id), SpecField::Omit); }
};

JobSpec job(std::string name) {
  JobSpec spec;
  spec.name = std::move(name);
  spec.argv = {"/bin/false"};
  return spec;
}

}  // namespace

TEST_CASE("node json: a job waiting for its restart shows restarts, next_attempt and last_exit") {
  Fixture f;
  JobSpec spec = job("api");
  spec.restart.policy = RestartPolicy::OnFailure;
  spec.restart.backoff.initial = 2s;
  spec.restart.backoff.max = 2s;
  NodeId id = f.spawn(spec);
  auto fresh = f.json_of(id);
  CHECK(fresh["restarts"] == 0);
  CHECK(fresh["next_attempt"].is_null());
  CHECK(fresh["last_exit"].is_null());
  f.tree.on_job_exited(f.now, id, ExitInfo::exited(1), f.out);
  auto waiting = f.json_of(id);
  CHECK(waiting["state"] == "running");
  CHECK(waiting["restarts"] == 1);
  CHECK(waiting["next_attempt"] == format_rfc3339(f.now.wall + 2s));
  CHECK(waiting["last_exit"] == "exited with code 1");
  CHECK(waiting["exit_code"] == 1);
  CHECK(waiting["pid"].is_null());
}

TEST_CASE("node json: after lists each sibling, its condition and whether it is met -- probing shows") {
  Fixture f;
  JobSpec db = job("db");
  db.ready.probe = ReadySpec::Probe::File;
  db.ready.path = "/tmp/x";
  NodeId db_id = f.spawn(db);
  JobSpec app = job("app");
  app.after = {AfterSpec{"db", AfterWhen::Started}, AfterSpec{"db", AfterWhen::Ready}};
  NodeId app_id = f.spawn(app);
  auto pending = f.json_of(app_id);
  CHECK(pending["state"] == "pending");
  REQUIRE(pending["after"].size() == 2);
  CHECK(pending["after"][0] == nlohmann::json{{"name", "db"}, {"when", "started"}, {"met", false}});
  f.tree.on_job_started(f.now, db_id, 10, f.out);
  CHECK(f.json_of(db_id)["probing"] == true);
  auto half = f.json_of(app_id);
  CHECK(half["after"][0]["met"] == true);
  CHECK(half["after"][1]["met"] == false);
  f.tree.on_job_ready(f.now, db_id, f.out);
  CHECK(f.json_of(db_id)["probing"] == false);
  CHECK(f.json_of(app_id)["state"] == "running");
  CHECK(f.json_of(db_id)["after"] == nlohmann::json::array());
}

}  // namespace traio
