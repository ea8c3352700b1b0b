#include "daemon/runners/ready_probes.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "common/signal_name.hpp"
#include "config/line_pattern.hpp"
#include "daemon/runners/file_waits.hpp"
#include "daemon/runners/http_probes.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/runners/notify_socket.hpp"
#include "daemon/runners/tcp_waits.hpp"

namespace traio {

namespace asio = boost::asio;

namespace {

// Below this a failing exec probe would keep the loop busy spawning (config asks for more).
constexpr Duration kMinInterval = std::chrono::milliseconds(10);

std::string_view probe_name(ReadySpec::Probe probe) {
  switch (probe) {
    case ReadySpec::Probe::None: return "ready";
    case ReadySpec::Probe::Tcp: return "wait_tcp";
    case ReadySpec::Probe::File: return "wait_file";
    case ReadySpec::Probe::Exec: return "exec";
    case ReadySpec::Probe::Http: return "http";
    case ReadySpec::Probe::Log: return "log";
    case ReadySpec::Probe::Notify: return "notify";
  }
  return "?";
}

}  // namespace

struct ReadyProbes::Probe {
  explicit Probe(asio::io_context& io) : deadline(io), retry(io) {}
  ~Probe() { end_exec(); }
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // The Child owns the pidfd: take it back from Asio before the Child closes it (and
  // kills its process group and reaps it, if it still runs).
  void end_exec() {
    if (watch) {
      boost::system::error_code ignored;
      watch->cancel(ignored);
      watch->release();
      watch.reset();
    }
    child.reset();
  }
  std::string program() const { return request.argv.empty() ? std::string() : request.argv.front(); }

  std::uint64_t serial = 0;
  ReadySpec::Probe kind = ReadySpec::Probe::None;
  Duration timeout{};
  asio::steady_timer deadline;
  // exec
  os::LaunchRequest request;
  Duration interval{};
  std::optional<os::Child> child;
  std::unique_ptr<asio::posix::stream_descriptor> watch;  // on child's pidfd
  asio::steady_timer retry;
  std::string last_error;
  // log
  std::optional<LinePattern> pattern;
  std::string pattern_text;
  std::uint64_t lines_read = 0;
  // notify
  std::string status;  // the last STATUS= the job sent
};

ReadyProbes::ReadyProbes(asio::io_context& io, JobReports& reports)
    : io_(io),
      reports_(reports),
      tcp_(std::make_unique<TcpWaits>(io, [this](NodeId id) { on_passed(id); })),
      files_(std::make_unique<FileWaits>(io, [this](NodeId id) { on_passed(id); })),
      http_(std::make_unique<HttpProbes>(io, [this](NodeId id) { on_passed(id); })) {}

ReadyProbes::~ReadyProbes() = default;  // each running exec probe is killed and reaped

std::size_t ReadyProbes::running() const { return probes_.size(); }

void ReadyProbes::start(NodeId id, const ReadySpec& ready, os::LaunchRequest exec) {
  stop(id);
  auto owned = std::make_unique<Probe>(io_);
  Probe& probe = *owned;
  probe.serial = ++next_serial_;
  probe.kind = ready.probe;
  probes_[id] = std::move(owned);
  if (ready.timeout) {
    probe.timeout = *ready.timeout;
    probe.deadline.expires_after(*ready.timeout);
    probe.deadline.async_wait([this, id, serial = probe.serial, alive = std::weak_ptr<int>(alive_)](
                                  boost::system::error_code ec) {
      if (alive.expired() || ec == asio::error::operation_aborted) return;
      on_timeout(id, serial);
    });
  }
  switch (ready.probe) {
    case ReadySpec::Probe::None:  // nothing to wait for (the supervisor does not ask)
      pass_soon(id, probe.serial);
      break;
    case ReadySpec::Probe::Tcp: tcp_->start(id, ready.address, ready.interval); break;
    case ReadySpec::Probe::File: files_->start(id, ready.path); break;
    case ReadySpec::Probe::Exec:
      probe.request = std::move(exec);
      probe.request.argv = ready.argv;
      probe.request.output = os::OutputTarget::Null;  // a probe's chatter is not the job's output
      probe.request.output_fd = -1;
      probe.request.error_fd = -1;
      probe.interval = std::max(ready.interval, kMinInterval);
      probe.last_error = fmt::format("exec '{}' has not exited yet", probe.program());
      run_exec(id, probe);  // reports only from the loop
      break;
    case ReadySpec::Probe::Http: http_->start(id, ready.url, ready.interval); break;
    case ReadySpec::Probe::Log:
      probe.pattern_text = ready.pattern;
      if (auto pattern = LinePattern::compile(ready.pattern)) probe.pattern = std::move(*pattern);
      else probe.last_error = pattern.error().message;  // submission compiled it; waits for its timeout
      break;
    case ReadySpec::Probe::Notify: break;  // the datagrams come through offer()
  }
}

bool ReadyProbes::offer(NodeId id, std::string_view text) {
  auto it = probes_.find(id);
  if (it == probes_.end()) return false;
  Probe& probe = *it->second;
  switch (probe.kind) {
    case ReadySpec::Probe::Log:
      ++probe.lines_read;
      if (!probe.pattern || !probe.pattern->matches(text)) return true;
      break;
    case ReadySpec::Probe::Notify:
      if (auto status = notify_status(text)) probe.status = std::move(*status);
      if (!notify_says_ready(text)) return true;
      break;
    case ReadySpec::Probe::None:
    case ReadySpec::Probe::Tcp:
    case ReadySpec::Probe::File:
    case ReadySpec::Probe::Exec:
    case ReadySpec::Probe::Http:
      return false;
  }
  pass_soon(id, probe.serial);
  return false;
}

// From a fresh handler: offer() runs inside the output capture's or the socket's handler,
// which the report's effects (a dependent starting, the job stopping) must not re-enter.
void ReadyProbes::pass_soon(NodeId id, std::uint64_t serial) {
  asio::post(io_, [this, id, serial, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    if (auto it = probes_.find(id); it != probes_.end() && it->second->serial == serial) on_passed(id);
  });
}

void ReadyProbes::stop(NodeId id) {
  auto it = probes_.find(id);
  if (it == probes_.end()) return;
  tcp_->cancel(id);
  files_->cancel(id);
  http_->cancel(id);
  end_exec(*it->second);
  probes_.erase(it);  // cancels its timers
}

bool ReadyProbes::reap_tracked(int pid) {
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end()) return false;
  on_exec_exit(it->second, pid);
  return true;
}

void ReadyProbes::on_passed(NodeId id) {
  stop(id);
  reports_.job_ready(id);
}

void ReadyProbes::on_timeout(NodeId id, std::uint64_t serial) {
  auto it = probes_.find(id);
  if (it == probes_.end() || it->second->serial != serial) return;
  const Probe& probe = *it->second;
  std::string why = fmt::format("{} not ready after {}: {}", probe_name(probe.kind), format_duration(probe.timeout),
                                last_error(id, probe));
  stop(id);
  reports_.job_ready_failed(id, std::move(why));
}

std::string ReadyProbes::last_error(NodeId id, const Probe& probe) const {
  switch (probe.kind) {
    case ReadySpec::Probe::Tcp: return tcp_->last_error(id);
    case ReadySpec::Probe::File: return files_->last_error(id);
    case ReadySpec::Probe::Exec: return probe.last_error;
    case ReadySpec::Probe::Http: return http_->last_error(id);
    case ReadySpec::Probe::Log:
      if (!probe.pattern) return probe.last_error;
      return fmt::format("no line of its output matched '{}' ({} lines read)", probe.pattern_text, probe.lines_read);
    case ReadySpec::Probe::Notify:
      if (probe.status.empty()) return "no READY=1 came to its NOTIFY_SOCKET";
      return fmt::format("no READY=1 came to its NOTIFY_SOCKET (last STATUS={})", probe.status);
    case ReadySpec::Probe::None: return "no probe";
  }
  return {};
}

void ReadyProbes::run_exec(NodeId id, Probe& probe) {
  auto child = os::launch(probe.request);
  if (!child) {
    probe.last_error = fmt::format("exec '{}': cannot start: {}", probe.program(), child.error().message());
    exec_later(id, probe);
    return;
  }
  const int pid = child->pid();
  probe.child.emplace(std::move(*child));
  probe.watch = std::make_unique<asio::posix::stream_descriptor>(io_);
  boost::system::error_code error;
  probe.watch->assign(probe.child->pidfd(), error);
  if (error) {
    probe.watch.reset();
    probe.end_exec();  // kills and reaps it: we could not learn of its exit
    probe.last_error = fmt::format("exec '{}': cannot watch its exit: {}", probe.program(), error.message());
    exec_later(id, probe);
    return;
  }
  by_pid_[pid] = id;
  watch_exec(id, probe);
}

void ReadyProbes::watch_exec(NodeId id, Probe& probe) {
  probe.watch->async_wait(asio::posix::descriptor_base::wait_read,
                          [this, id, pid = probe.child->pid(), alive = std::weak_ptr<int>(alive_)](
                              boost::system::error_code ec) {
                            if (alive.expired() || ec == asio::error::operation_aborted) return;
                            on_exec_exit(id, pid);
                          });
}

void ReadyProbes::on_exec_exit(NodeId id, int pid) {
  auto it = probes_.find(id);
  if (it == probes_.end() || !it->second->child || it->second->child->pid() != pid) return;
  Probe& probe = *it->second;
  auto status = probe.child->try_reap();  // also kills what is left of its process group
  if (status && !status->has_value()) {
    watch_exec(id, probe);  // not exited after all: keep waiting
    return;
  }
  end_exec(probe);
  if (!status) {
    probe.last_error = fmt::format("exec '{}': cannot reap pid {}: {}", probe.program(), pid, status.error().message());
  } else if ((*status)->kind == os::ExitKind::Exited && (*status)->code == 0) {
    on_passed(id);
    return;
  } else if ((*status)->kind == os::ExitKind::Exited) {
    probe.last_error = fmt::format("exec '{}' exited with code {}", probe.program(), (*status)->code);
  } else {
    probe.last_error = fmt::format("exec '{}' was killed by signal {}", probe.program(), signal_name((*status)->code));
  }
  exec_later(id, probe);
}

void ReadyProbes::exec_later(NodeId id, Probe& probe) {
  probe.retry.expires_after(probe.interval);
  probe.retry.async_wait([this, id, serial = probe.serial, alive = std::weak_ptr<int>(alive_)](
                             boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    auto it = probes_.find(id);
    if (it != probes_.end() && it->second->serial == serial) run_exec(id, *it->second);
  });
}

void ReadyProbes::end_exec(Probe& probe) {
  if (probe.child) by_pid_.erase(probe.child->pid());
  probe.end_exec();
}

}  // namespace traio
