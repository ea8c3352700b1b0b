#include "daemon/runners/wait_runner.hpp"

#include "daemon/runners/file_waits.hpp"
#include "daemon/runners/tcp_waits.hpp"

namespace traio {

WaitRunner::WaitRunner(boost::asio::io_context& io, JobReports& reports)
    : reports_(reports),
      tcp_(std::make_unique<TcpWaits>(io, [this](NodeId id) { reports_.job_exited(id, ExitInfo::completed()); })),
      files_(std::make_unique<FileWaits>(io, [this](NodeId id) { reports_.job_exited(id, ExitInfo::completed()); })) {}

WaitRunner::~WaitRunner() = default;

void WaitRunner::start(NodeId id, const JobSpec& spec) {
  switch (spec.kind) {
    case JobKind::WaitTcp:
      files_->cancel(id);
      tcp_->start(id, spec.address, spec.interval);
      break;
    case JobKind::WaitFile:
      tcp_->cancel(id);
      files_->start(id, spec.path);
      break;
    case JobKind::Process:
    case JobKind::Sleep:
      reports_.job_exited(id, ExitInfo::start_failed("not a wait job"));  // the supervisor's mistake
      return;
  }
  reports_.job_started(id, std::nullopt);  // the outcome comes from the loop, never from start()
}

void WaitRunner::stop(NodeId id) {
  // rule 7: an async job stops at once; nothing of it is left to wait for.
  if (tcp_->cancel(id) || files_->cancel(id)) reports_.job_exited(id, ExitInfo::aborted());
}

std::size_t WaitRunner::running() const { return tcp_->running() + files_->running(); }

}  // namespace traio
