#include "daemon/core/spec_source.hpp"

namespace traio {

SpecSource& SpecSource::operator=(const nlohmann::json& json) {
  // The text came from a parsed request: its strings are valid UTF-8, and `replace` makes
  // sure that dumping never throws in core.
  text_ = json.is_null() ? std::string() : json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return *this;
}

nlohmann::json SpecSource::json() const {
  if (text_.empty()) return nullptr;
  auto parsed = nlohmann::json::parse(text_, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? nlohmann::json(nullptr) : parsed;
}

}  // namespace traio
