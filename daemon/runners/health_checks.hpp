#pragma once
// SPEC §6 `health` of process jobs: every `interval` after the job became ready (counted
// from the end of the previous check) one check runs: the job's health probe, as a `ready`
// probe (ready_probes.hpp) that gets the check's `timeout` to pass. Each result is handed
// to `on_result` (the supervisor reports it to the core, which counts failures in a row
// and takes the action). A job without `health` has no entry here and costs no timer.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>

#include "config/node_spec.hpp"
#include "daemon/os/launcher.hpp"
#include "daemon/runners/job_reports.hpp"

namespace traio {

class ReadyProbes;

class HealthChecks : private JobReports {
 public:
  // ok: the check passed; message: what it saw ("GET http://...: HTTP/1.0 500 ...").
  using OnResult = std::function<void(NodeId id, bool ok, std::string message)>;

  HealthChecks(boost::asio::io_context& io, OnResult on_result);
  ~HealthChecks() override;
  HealthChecks(const HealthChecks&) = delete;
  HealthChecks& operator=(const HealthChecks&) = delete;

  // Checks `id` by `health` until stop(id); `exec` is how an exec check runs (the job's
  // env, cwd and user). The first check runs one interval from now. Starting an id that
  // is checked already replaces its checks.
  void start(NodeId id, const HealthSpec& health, os::LaunchRequest exec);
  // Stops at once (a running exec check is killed and reaped); reports nothing.
  void stop(NodeId id);
  std::size_t running() const { return checks_.size(); }

  // When `pid` is an exec check's process that has exited (found by the orphan reaper).
  bool reap_tracked(int pid);

 private:
  struct Check;

  void schedule(NodeId id, Check& check);
  void finish(NodeId id, bool ok, std::string message);

  // JobReports of the probes: a pass or a timeout ends one check.
  void job_started(NodeId, std::optional<int>) override {}
  void job_ready(NodeId id) override;
  void job_exited(NodeId, ExitInfo) override {}
  void job_signalled(NodeId, int) override {}
  void job_ready_failed(NodeId id, std::string why) override;

  boost::asio::io_context& io_;
  OnResult on_result_;
  std::unique_ptr<ReadyProbes> probes_;
  std::unordered_map<NodeId, std::unique_ptr<Check>> checks_;
  std::uint64_t next_serial_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// What a passing check of `check` is called in inspect: "GET http://127.0.0.1:8080/: 2xx".
std::string health_pass_text(const ReadySpec& check);

}  // namespace traio
