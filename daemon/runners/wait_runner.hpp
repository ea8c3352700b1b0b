#pragma once
// Runs the async jobs that wait for something outside the daemon (SPEC §1 job kinds):
// `wait_tcp` tries to connect to `address` every `interval` until a connect succeeds;
// `wait_file` watches with inotify until `path` exists (a watch on the nearest existing
// parent, moved down as directories appear, so a path created later in a new directory is
// seen). Success reports Completed; a stop ends the wait at once and reports Aborted.
// Cheap by design: 10,000 live waits share one inotify descriptor and cost a timer or a
// socket each, so `ps` stays fast beside them.
#include <memory>

#include <boost/asio/io_context.hpp>

#include "config/node_spec.hpp"
#include "daemon/runners/job_reports.hpp"

namespace traio {

class TcpWaits;
class FileWaits;

class WaitRunner {
 public:
  WaitRunner(boost::asio::io_context& io, JobReports& reports);
  ~WaitRunner();
  WaitRunner(const WaitRunner&) = delete;
  WaitRunner& operator=(const WaitRunner&) = delete;

  // `spec.kind` is WaitTcp or WaitFile. Reports job_started(nullopt) at once, then
  // job_exited(Completed) when the condition holds (at once if it already does). An
  // address that does not resolve is retried like a refused connect (DNS may come up
  // later); it never fails the job: the user bounds the wait with `timeout` (SPEC §1).
  void start(NodeId id, const JobSpec& spec);
  // Reports job_exited(Aborted) for a running wait; harmless otherwise.
  void stop(NodeId id);
  std::size_t running() const;

 private:
  JobReports& reports_;
  std::unique_ptr<TcpWaits> tcp_;
  std::unique_ptr<FileWaits> files_;
};

}  // namespace traio
