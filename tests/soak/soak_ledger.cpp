#include "tests/soak/soak_ledger.hpp"

#include <cstdio>

namespace traio::soak {

void Ledger::fail(const std::string& message) {
  std::lock_guard lock(mutex_);
  ++failure_count_;
  if (failures_.size() < kKept) failures_.push_back(message);
  // The first few, and any that is not about one node (a dropped stream, a stalled ping,
  // a lost connection: rarer, and they explain the node ones), go to stderr at once.
  if (failure_count_ <= kKept || (message.rfind("node ", 0) != 0 && ++other_printed_ <= kKept))
    std::fprintf(stderr, "soak: FAILURE: %s\n", message.c_str());
}

std::vector<std::string> Ledger::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

std::size_t Ledger::failure_count() const {
  std::lock_guard lock(mutex_);
  return failure_count_;
}

void Ledger::count_outcome(const std::string& outcome) {
  for (int i = 0; i < 6; ++i)
    if (outcome == kOutcomes[i]) ++counts.outcomes[i];
}

}  // namespace traio::soak
