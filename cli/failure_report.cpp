#include "cli/failure_report.hpp"

#include <iostream>
#include <vector>

#include "cli/render_node.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

constexpr int kLogLines = 5;

void collect_failed(const json& node, std::vector<json>& out) {
  if (!node.is_object()) return;
  const json outcome = node.value("outcome", json());
  if (node.value("type", "") == "job" && (outcome == "failed" || outcome == "timed_out"))
    out.push_back(node);
  if (auto it = node.find("children"); it != node.end() && it->is_array())
    for (const auto& child : *it) collect_failed(child, out);
}

}  // namespace

void report_failures(Connection& conn, const std::string& tree_path) {
  const Reply ps = conn.client.call("ps", {{"path", tree_path}, {"all", true}});
  if (ps.status != ReplyStatus::Ok) return;  // a best effort after the outcome is known
  std::vector<json> failed;
  collect_failed(ps.result.value("node", json()), failed);
  for (const auto& job : failed) {
    const std::string path = job.value("path", "?");
    std::cerr << "failed: " << path << " " << scalar_text(job.value("outcome", json()));
    if (auto reason = job.value("reason", json()); reason.is_string()) std::cerr << ": " << reason.get<std::string>();
    std::cerr << '\n';
    const Reply logs = conn.client.call("logs", {{"path", path}, {"lines", kLogLines}});
    if (logs.status != ReplyStatus::Ok) continue;
    for (const auto& line : logs.result.value("lines", json::array()))
      std::cerr << "  | " << line.value("line", "") << '\n';
  }
  std::cerr << std::flush;
}

}  // namespace traio::cli
