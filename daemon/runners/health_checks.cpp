#include "daemon/runners/health_checks.hpp"

#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "daemon/runners/ready_probes.hpp"

namespace traio {

namespace asio = boost::asio;

namespace {

// ReadyProbes says "http not ready after 2s: GET ...: HTTP/1.0 500 ...": a check wants only
// what the probe saw, the part after the "not ready after D: " prefix.
std::string seen_of(const std::string& why) {
  const auto marker = why.find(" not ready after ");
  if (marker == std::string::npos) return why;
  const auto colon = why.find(": ", marker);
  return colon == std::string::npos ? why : why.substr(colon + 2);
}

}  // namespace

std::string health_pass_text(const ReadySpec& check) {
  switch (check.probe) {
    case ReadySpec::Probe::Tcp: return fmt::format("connect {}: connected", check.address);
    case ReadySpec::Probe::File: return fmt::format("{} exists", check.path);
    case ReadySpec::Probe::Exec:
      return fmt::format("exec '{}' exited with code 0", check.argv.empty() ? std::string() : check.argv.front());
    case ReadySpec::Probe::Http: return fmt::format("GET {}: 2xx", check.url);
    case ReadySpec::Probe::None:
    case ReadySpec::Probe::Log:
    case ReadySpec::Probe::Notify:
      break;  // not health probes (config/health_parser.cpp)
  }
  return "passed";
}

struct HealthChecks::Check {
  Check(asio::io_context& io, const HealthSpec& s, os::LaunchRequest e)
      : spec(s), exec(std::move(e)), timer(io) {}
  HealthSpec spec;
  os::LaunchRequest exec;
  asio::steady_timer timer;  // the wait until the next check
  std::uint64_t serial = 0;
};

HealthChecks::HealthChecks(asio::io_context& io, OnResult on_result)
    : io_(io), on_result_(std::move(on_result)) {
  JobReports& reports = *this;  // private base: converted here, where it is accessible
  probes_ = std::make_unique<ReadyProbes>(io_, reports);
}

HealthChecks::~HealthChecks() = default;

void HealthChecks::start(NodeId id, const HealthSpec& health, os::LaunchRequest exec) {
  stop(id);
  auto owned = std::make_unique<Check>(io_, health, std::move(exec));
  owned->serial = ++next_serial_;
  Check& check = *owned;
  checks_[id] = std::move(owned);
  schedule(id, check);
}

void HealthChecks::stop(NodeId id) {
  if (checks_.erase(id) > 0) probes_->stop(id);  // erasing cancels the timer
}

bool HealthChecks::reap_tracked(int pid) { return probes_->reap_tracked(pid); }

void HealthChecks::schedule(NodeId id, Check& check) {
  check.timer.expires_after(check.spec.interval);
  check.timer.async_wait([this, id, serial = check.serial, alive = std::weak_ptr<int>(alive_)](
                             boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    auto it = checks_.find(id);
    if (it == checks_.end() || it->second->serial != serial) return;
    // ReadyProbes reports the pass or the timeout from the loop, never from inside start().
    probes_->start(id, it->second->spec.check, it->second->exec);
  });
}

void HealthChecks::job_ready(NodeId id) {
  auto it = checks_.find(id);
  if (it == checks_.end()) return;
  finish(id, true, health_pass_text(it->second->spec.check));
}

void HealthChecks::job_ready_failed(NodeId id, std::string why) { finish(id, false, seen_of(why)); }

// The next check is armed before the result goes out: the receiver may stop the checks.
void HealthChecks::finish(NodeId id, bool ok, std::string message) {
  auto it = checks_.find(id);
  if (it == checks_.end()) return;
  schedule(id, *it->second);
  on_result_(id, ok, std::move(message));
}

}  // namespace traio
