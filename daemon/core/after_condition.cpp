#include "daemon/core/after_condition.hpp"

namespace traio {

namespace {

// A condition on a sibling that is done is settled: it holds or it never will.
AfterStatus settled(const Node& dep, bool holds) {
  if (holds) return AfterStatus::Met;
  return dep.is_done() ? AfterStatus::Never : AfterStatus::Waiting;
}

}  // namespace

AfterStatus after_status(const Node& dep, AfterWhen when) {
  switch (when) {
    case AfterWhen::Started:
      return settled(dep, dep.started_at.has_value());
    case AfterWhen::Ready:
      return settled(dep, dep.ready);
    case AfterWhen::Succeeded:
      return settled(dep, dep.is_done() && dep.outcome == Outcome::Succeeded);
    case AfterWhen::Done:
      return settled(dep, dep.is_done());
    case AfterWhen::Failed:
      return settled(dep, dep.is_done() && is_failure(dep.outcome));
  }
  return AfterStatus::Waiting;  // unreachable: the switch is exhaustive
}

std::string after_waiting_text(const Node& n) {
  std::string text;
  for (std::size_t i = 0; i < n.after.size() && i < n.after_links.size(); ++i) {
    if (n.after_links[i].met) continue;
    if (!text.empty()) text += ", ";
    text += n.after[i].name + " (" + std::string(to_string(n.after[i].when)) + ")";
  }
  return "waiting for " + text;
}

}  // namespace traio
