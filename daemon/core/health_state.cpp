#include "daemon/core/health_state.hpp"

namespace traio {

std::string_view to_string(HealthStatus status) {
  switch (status) {
    case HealthStatus::Starting: return "starting";
    case HealthStatus::Healthy: return "healthy";
    case HealthStatus::Unhealthy: return "unhealthy";
  }
  return "starting";  // unreachable: the switch is exhaustive
}

}  // namespace traio
