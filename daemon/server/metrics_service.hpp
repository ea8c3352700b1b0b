#pragma once
// One metrics scrape (SPEC §6 "Watching"), for the `metrics` op and the HTTP endpoint alike:
// the loop's lag, the tree's counts, the supervisor's counters, the jobs' cgroup readings
// and traiod's own /proc figures, rendered as Prometheus text.
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "daemon/core/node.hpp"
#include "daemon/runners/supervisor.hpp"
#include "daemon/server/job_usage_cache.hpp"
#include "daemon/server/metrics_snapshot.hpp"

namespace traio {

// The Content-Type of the text (the exposition format's version).
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// How long a scrape may spend reading cgroup files before it serves older readings.
inline constexpr std::chrono::milliseconds kUsageReadBudget{20};

class MetricsService {
 public:
  MetricsService(boost::asio::io_context& io, const Supervisor& supervisor);

  // The loop lag is how long a handler posted when the scrape begins waits behind the
  // work already queued on the loop: measured by the scrape itself, so that no timer
  // wakes an idle daemon to sample it. `viewer`: per-job series only of that uid's nodes
  // (a client that is not privileged, as `inspect` shows them); nullopt: every job.
  boost::asio::awaitable<std::string> scrape(std::optional<Uid> viewer);

  // The snapshot without the lag (0), for tests and the scrape above.
  MetricsSnapshot collect(std::optional<Uid> viewer);

 private:
  boost::asio::io_context& io_;
  const Supervisor& supervisor_;
  JobUsageCache usage_;
};

}  // namespace traio
