#pragma once
// A scrape as Prometheus text (format 0.0.4); every metric is listed in docs/metrics.md.
#include <string>

#include "daemon/server/metrics_snapshot.hpp"

namespace traio {

std::string render_metrics(const MetricsSnapshot& snapshot);

}  // namespace traio
