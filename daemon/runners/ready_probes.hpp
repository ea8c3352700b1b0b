#pragma once
// `ready` probes of process jobs (SPEC §2): a running process becomes ready when its probe
// passes. `wait_tcp`: a connect to the address succeeds (tried every `interval`);
// `wait_file`: the path exists (inotify, as the wait_file job); `exec`: a command exits 0
// (run every `interval` until it does, with the job's environment, cwd and user, its
// output discarded, killed with its whole process group when the probe stops); `http`: a
// GET of a local URL answers 2xx (http_probes.hpp, every `interval`); `log`: a line of the
// job's output matches a regex; `notify`: the job sends READY=1 to its NOTIFY_SOCKET
// (notify_socket.hpp). The lines and datagrams of the last two come from the process
// runner through offer(). A probe
// that has not passed within its own `timeout` (counted from its start) fails: the job
// fails with the probe's last error in the message.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/io_context.hpp>

#include "config/node_spec.hpp"
#include "daemon/os/launcher.hpp"
#include "daemon/runners/job_reports.hpp"

namespace traio {

class TcpWaits;
class FileWaits;
class HttpProbes;

class ReadyProbes {
 public:
  ReadyProbes(boost::asio::io_context& io, JobReports& reports);
  ~ReadyProbes();
  ReadyProbes(const ReadyProbes&) = delete;
  ReadyProbes& operator=(const ReadyProbes&) = delete;

  // Starts the probe `ready` for job `id`; `exec` is how an `exec` probe runs (env, cwd,
  // credentials; its argv and output are replaced by the probe's). Reports job_ready(id)
  // once it passes, or job_ready_failed(id, why) when its timeout expires first. Starting a
  // probe for an id that has one replaces it.
  void start(NodeId id, const ReadySpec& ready, os::LaunchRequest exec);
  // Stops the probe at once (an exec probe's process group is killed and reaped); harmless
  // when none runs. Reports nothing.
  void stop(NodeId id);
  std::size_t running() const;

  // For a `log` probe, a line of the job's output; for a `notify` probe, a datagram from the
  // job. Returns whether the probe wants more (false once it passed or when `id` has no such
  // probe). The pass is reported from a fresh handler, never from inside this call.
  bool offer(NodeId id, std::string_view text);

  // When `pid` is an exec probe's process that has exited: reaps it and goes on with its
  // probe now (the orphan reaper found it first, as it finds every child of the daemon),
  // and returns true.
  bool reap_tracked(int pid);

 private:
  struct Probe;

  void on_passed(NodeId id);
  void pass_soon(NodeId id, std::uint64_t serial);
  void on_timeout(NodeId id, std::uint64_t serial);
  std::string last_error(NodeId id, const Probe& probe) const;
  void run_exec(NodeId id, Probe& probe);
  void watch_exec(NodeId id, Probe& probe);
  void on_exec_exit(NodeId id, int pid);
  void exec_later(NodeId id, Probe& probe);
  void end_exec(Probe& probe);

  boost::asio::io_context& io_;
  JobReports& reports_;
  std::unique_ptr<TcpWaits> tcp_;
  std::unique_ptr<FileWaits> files_;
  std::unique_ptr<HttpProbes> http_;
  std::unordered_map<NodeId, std::unique_ptr<Probe>> probes_;
  std::unordered_map<int, NodeId> by_pid_;  // running exec probes
  std::uint64_t next_serial_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace traio
