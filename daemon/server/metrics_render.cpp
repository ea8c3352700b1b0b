#include "daemon/server/metrics_render.hpp"

#include "daemon/server/prometheus_text.hpp"

namespace traio {

namespace {

// A per-job line is its path twice over at most, with the name and value: about 120 bytes.
constexpr std::size_t kBytesPerJob = 160;
constexpr std::size_t kFixedBytes = 6144;

void write_nodes(PrometheusText& w, const MetricsSnapshot& s) {
  w.family("traio_nodes", MetricType::Gauge,
           "Nodes in the tree by state: live ones and the ended ones the history still keeps.");
  for (NodeState state : kMetricStates) w.sample("traio_nodes", {"state", to_string(state)}, s.nodes_in(state));
  w.family("traio_nodes_ended_total", MetricType::Counter, "Nodes that ended since traiod started, by outcome.");
  for (Outcome outcome : kMetricOutcomes)
    w.sample("traio_nodes_ended_total", {"outcome", to_string(outcome)}, s.counters.ended_with(outcome));
}

void write_runs(PrometheusText& w, const RunCounters& c) {
  w.family("traio_spawns_total", MetricType::Counter, "Job runs started (processes, sleeps, waits); each restart counts.");
  w.sample("traio_spawns_total", c.job_starts);
  w.family("traio_spawn_failures_total", MetricType::Counter, "Job runs that could not start (exec or setup failed).");
  w.sample("traio_spawn_failures_total", c.start_failures);
  w.family("traio_restarts_total", MetricType::Counter, "Restarts scheduled by restart policies (rule 11).");
  w.sample("traio_restarts_total", c.restarts);
  w.family("traio_probe_failures_total", MetricType::Counter, "Ready probes that gave up (the job then fails).");
  w.sample("traio_probe_failures_total", c.ready_failures);
}

void write_jobs(PrometheusText& w, const std::vector<JobUsageSample>& jobs) {
  w.family("traio_job_cpu_seconds_total", MetricType::Counter,
           "CPU time used by a running process job's cgroup (cpu.stat usage_usec).");
  for (const auto& job : jobs)
    if (job.cpu_usec) w.sample("traio_job_cpu_seconds_total", {"path", job.path}, static_cast<double>(*job.cpu_usec) / 1e6);
  w.family("traio_job_memory_bytes", MetricType::Gauge,
           "Memory used by a running process job's cgroup (memory.current), where the memory controller is on.");
  for (const auto& job : jobs)
    if (job.memory_bytes) w.sample("traio_job_memory_bytes", {"path", job.path}, static_cast<double>(*job.memory_bytes));
}

void write_self(PrometheusText& w, const os::SelfUsage& self) {
  w.family("process_cpu_seconds_total", MetricType::Counter, "User and system CPU time used by traiod.");
  w.sample("process_cpu_seconds_total", self.cpu_seconds);
  w.family("process_resident_memory_bytes", MetricType::Gauge, "Resident memory of traiod.");
  w.sample("process_resident_memory_bytes", static_cast<double>(self.resident_bytes));
  w.family("process_virtual_memory_bytes", MetricType::Gauge, "Virtual memory of traiod.");
  w.sample("process_virtual_memory_bytes", static_cast<double>(self.virtual_bytes));
  if (self.open_fds) {
    w.family("process_open_fds", MetricType::Gauge, "File descriptors traiod holds open.");
    w.sample("process_open_fds", static_cast<double>(*self.open_fds));
  }
  w.family("process_max_fds", MetricType::Gauge, "traiod's limit of open file descriptors.");
  w.sample("process_max_fds", static_cast<double>(self.max_fds));
  w.family("process_start_time_seconds", MetricType::Gauge, "When traiod started, in seconds since the Unix epoch.");
  w.sample("process_start_time_seconds", self.start_time_seconds);
}

}  // namespace

std::string render_metrics(const MetricsSnapshot& s) {
  std::string out;
  out.reserve(kFixedBytes + s.jobs.size() * kBytesPerJob);
  PrometheusText w(out);
  w.family("traio_build_info", MetricType::Gauge, "Always 1: the version of traiod that answers.");
  w.sample("traio_build_info", {"version", s.version}, 1);
  write_nodes(w, s);
  write_runs(w, s.counters);
  write_jobs(w, s.jobs);
  w.family("traio_event_loop_lag_seconds", MetricType::Gauge,
           "How long a handler posted when this scrape began waited for traiod's event loop.");
  w.sample("traio_event_loop_lag_seconds", s.loop_lag_seconds);
  if (s.self) write_self(w, *s.self);
  return out;
}

}  // namespace traio
