#pragma once
// Random work for the soak, reproducible from a seed: job specs and nested trees (SPEC §2)
// with random flags, timeouts, `after`, restarts, output and processes that succeed, fail,
// die of a signal, ignore SIGTERM or leave (setsid'd, double-forked) descendants behind.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace traio::soak {

// One submission: its spec and the paths (relative to where it is submitted) of every node
// in it, so that the driver can find each one's outcome afterwards.
struct Plan {
  nlohmann::json spec;
  std::vector<std::string> nodes;          // "t1", "t1/j0", "t1/s1/j0"...
  std::vector<std::string> process_jobs;   // the process jobs among them (for `signal`)
};

class Workload {
 public:
  explicit Workload(std::uint64_t seed) : rng_(seed) {}

  // Whether jobs may leave setsid'd descendants behind. Only job cgroups catch those; with
  // process groups alone they escape (a documented limit of that fallback), so a soak of a
  // traiod without job cgroups leaves them out.
  void allow_setsid(bool allowed) { setsid_allowed_ = allowed; }

  // A scope named `name` with 1-4 children, nested up to `max_depth` scopes deep.
  Plan tree(const std::string& name, int max_depth = 4);
  // One random job named `name`. `bounded`: it must end by itself within seconds (a job
  // spawned into an open scope or under `/`, where nothing else would stop it).
  Plan job(const std::string& name, bool bounded);

  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  // "1250ms": a duration between lo and hi milliseconds.
  std::string millis(int lo, int hi) { return std::to_string(between(lo, hi)) + "ms"; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1))];
  }

 private:
  // A job spec; `long_running` is set when it could run for 30 s if nothing stops it.
  nlohmann::json random_job(const std::string& name, bool& long_running);
  void add_scope(Plan& plan, nlohmann::json& scope, const std::string& path, int depth, int max_depth,
                 bool& long_running);
  void add_flags(nlohmann::json& node);

  std::mt19937_64 rng_;
  bool setsid_allowed_ = true;
};

}  // namespace traio::soak
