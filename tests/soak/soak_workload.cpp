#include "tests/soak/soak_workload.hpp"

namespace traio::soak {

using nlohmann::json;

namespace {

// What a random job does. Each shape is one way a real job ends (or refuses to).
enum class Shape {
  Succeeds, Fails, KillsItself, SleepsAsProcess, SleepsInDaemon, ExitsEarly, Grandchildren,
  SetsidGrandchild, SetsidOrphan, DoubleFork, Prints, IgnoresTerm, RestartsUntilStorm,
  RestartsAlways, WaitsForMissingFile, WaitsForExistingFile, WaitsForClosedPort, ReadyByExec,
  NeverReady, ExitCodeCountsAsSuccess,
};

constexpr int kShapes = 20;
// Weights, in the order of Shape.
const std::vector<double> kWeights = {8, 6, 4, 6, 5, 4, 4, 3, 3, 3, 6, 3, 3, 2, 2, 1, 2, 2, 1, 2};

json sh(const std::string& script) { return json::array({"sh", "-c", script}); }

}  // namespace

void Workload::add_flags(json& node) {
  if (chance(0.1)) node["master"] = true;
  if (chance(0.3)) node["bubble"] = chance(0.8) ? false : true;
  if (chance(0.15)) node["awaited"] = false;
}

json Workload::random_job(const std::string& name, bool& long_running) {
  static_assert(kShapes == 20);
  std::discrete_distribution<int> shape_of(kWeights.begin(), kWeights.end());
  auto shape = static_cast<Shape>(shape_of(rng_));
  if (!setsid_allowed_ && (shape == Shape::SetsidGrandchild || shape == Shape::SetsidOrphan))
    shape = Shape::Grandchildren;
  json job = {{"name", name}};
  long_running = false;
  switch (shape) {
    case Shape::Succeeds: job["argv"] = {"true"}; break;
    case Shape::Fails: job["argv"] = sh("exit " + std::to_string(between(1, 120))); break;
    case Shape::KillsItself:
      job["argv"] = sh("kill -" + pick<std::string>({"TERM", "KILL", "INT", "USR1", "HUP"}) + " $$; sleep 5");
      break;
    case Shape::SleepsAsProcess: job["argv"] = {"sleep", std::to_string(between(1, 20) / 10.0).substr(0, 3)}; break;
    case Shape::SleepsInDaemon: job = {{"name", name}, {"kind", "sleep"}, {"duration", millis(10, 2000)}}; break;
    case Shape::ExitsEarly: job["argv"] = sh("sleep 0.0" + std::to_string(between(1, 9)) + "; exit 0"); break;
    case Shape::Grandchildren:
      job["argv"] = sh("sleep 30 & sleep 30");
      long_running = true;
      break;
    case Shape::SetsidGrandchild:
      job["argv"] = sh("setsid sleep 30 & sleep 30");
      long_running = true;
      break;
    case Shape::SetsidOrphan:  // the main process exits at once; its setsid'd child stays behind
      job["argv"] = sh("setsid sh -c 'sleep 30' & exit " + std::to_string(between(0, 1)));
      break;
    case Shape::DoubleFork: job["argv"] = sh("(sleep 30 &); sleep 0." + std::to_string(between(1, 5))); break;
    case Shape::Prints: {
      const int lines = between(1, 3000);
      job["argv"] = chance(0.2) ? sh("head -c " + std::to_string(between(1000, 200000)) + " /dev/zero | tr '\\0' x; echo")
                                : sh("i=0; while [ $i -lt " + std::to_string(lines) +
                                     " ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done");
      break;
    }
    case Shape::IgnoresTerm:
      job["argv"] = sh("trap '' TERM; sleep 30");
      job["stop"] = {{"signal", "TERM"}, {"grace", millis(100, 600)}};
      long_running = true;
      break;
    case Shape::RestartsUntilStorm:
      job["argv"] = sh("exit 1");
      job["restart"] = {{"policy", "on-failure"},
                        {"max", between(0, 3)},
                        {"backoff", {{"initial", "20ms"}, {"max", millis(20, 200)}}}};
      break;
    case Shape::RestartsAlways:
      job["argv"] = {"true"};
      job["restart"] = {{"policy", "always"}, {"max", between(0, 2)}, {"backoff", {{"initial", "10ms"}, {"max", "50ms"}}}};
      break;
    case Shape::WaitsForMissingFile:
      job = {{"name", name}, {"kind", "wait_file"}, {"path", "/nonexistent-traio-soak/never"}};
      long_running = true;
      break;
    case Shape::WaitsForExistingFile: job = {{"name", name}, {"kind", "wait_file"}, {"path", "/"}}; break;
    case Shape::WaitsForClosedPort:
      job = {{"name", name}, {"kind", "wait_tcp"}, {"address", "127.0.0.1:1"}, {"interval", millis(50, 300)}};
      long_running = true;
      break;
    case Shape::ReadyByExec:
      job["argv"] = {"sleep", "0.5"};
      job["ready"] = {{"exec", {"true"}}, {"interval", "50ms"}, {"timeout", "3s"}};
      break;
    case Shape::NeverReady:  // a readiness timeout is final: the job fails and is stopped
      job["argv"] = {"sleep", "30"};
      job["ready"] = {{"exec", {"false"}}, {"interval", "50ms"}, {"timeout", millis(100, 500)}};
      break;
    case Shape::ExitCodeCountsAsSuccess:
      job["argv"] = sh("exit 3");
      job["success_exit_codes"] = {0, 3};
      break;
  }
  if (job.contains("argv")) {
    if (chance(0.3)) job["output"] = pick<std::string>({"capture", "null", "null", "inherit"});
    if (!job.contains("stop") && chance(0.3))
      job["stop"] = {{"signal", pick<std::string>({"TERM", "INT", "HUP"})}, {"grace", millis(100, 800)}};
    job["cwd"] = "/";
  }
  return job;
}

Plan Workload::job(const std::string& name, bool bounded) {
  Plan plan;
  bool long_running = false;
  plan.spec = random_job(name, long_running);
  add_flags(plan.spec);
  if (long_running && (bounded || chance(0.5))) plan.spec["timeout"] = millis(200, 4000);
  else if (chance(0.1)) plan.spec["timeout"] = millis(200, 6000);
  plan.nodes.push_back(name);
  if (plan.spec.contains("argv")) plan.process_jobs.push_back(name);
  return plan;
}

void Workload::add_scope(Plan& plan, json& scope, const std::string& path, int depth, int max_depth,
                         bool& long_running) {
  scope["children"] = json::array();
  if (chance(0.03)) return;  // an empty tree is valid and ends at once
  const int count = between(1, 4);
  for (int i = 0; i < count; ++i) {
    json child;
    const bool is_scope = depth < max_depth && chance(0.35 - 0.05 * depth);
    const std::string name = (is_scope ? "s" : "j") + std::to_string(i);
    const std::string child_path = path + "/" + name;
    plan.nodes.push_back(child_path);
    json after;
    if (i > 0 && chance(0.25)) {
      const std::string sibling = scope["children"][static_cast<std::size_t>(between(0, i - 1))]["name"];
      after = chance(0.3) ? json::array({sibling})
                          : json::array({{{"name", sibling},
                                          {"when", pick<std::string>({"started", "ready", "succeeded", "done",
                                                                      "failed"})}}});
    }
    if (is_scope) {
      child = {{"name", name}};
      add_scope(plan, child, child_path, depth + 1, max_depth, long_running);
    } else {
      bool long_job = false;
      child = random_job(name, long_job);
      if (long_job && chance(0.6)) child["timeout"] = millis(300, 4000);
      else long_running = long_running || long_job;
      if (child.contains("argv")) plan.process_jobs.push_back(child_path);
    }
    add_flags(child);
    if (!child.contains("timeout") && chance(0.15)) child["timeout"] = millis(200, 6000);
    if (!after.is_null()) child["after"] = std::move(after);
    scope["children"].push_back(std::move(child));
  }
}

Plan Workload::tree(const std::string& name, int max_depth) {
  Plan plan;
  plan.spec = {{"name", name}};
  plan.nodes.push_back(name);
  bool long_running = false;
  add_scope(plan, plan.spec, name, 1, max_depth, long_running);
  // Every tree must end by itself within seconds: the root's timeout bounds what may run
  // for 30 s. A tree that stays open (finalize: false) ends only by its timeout.
  if (chance(0.05)) plan.spec["finalize"] = false;
  if (long_running || plan.spec.contains("finalize") || chance(0.2)) plan.spec["timeout"] = millis(500, 12000);
  return plan;
}

}  // namespace traio::soak
