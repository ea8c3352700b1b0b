#include "config/queue_fields.hpp"

namespace traio {

std::optional<std::size_t> read_max_parallel(const nlohmann::json& v, const std::string& path, FieldErrors& e) {
  if (v.is_null()) return std::nullopt;  // as `traioctl limit PATH none`
  auto n = read_int(v, path, e, 1, kMaxParallelLimit);
  if (!n) return std::nullopt;
  return static_cast<std::size_t>(*n);
}

std::optional<int> read_priority(const nlohmann::json& v, const std::string& path, FieldErrors& e) {
  auto p = read_int(v, path, e, -kPriorityLimit, kPriorityLimit);
  if (!p) return std::nullopt;
  return static_cast<int>(*p);
}

}  // namespace traio
