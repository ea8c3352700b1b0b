#pragma once
// Runner tests: a JobReports that records what runners report (the seam between runners
// and the core), and running the real io_context until something happened.
#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "daemon/runners/capture_record.hpp"
#include "daemon/runners/job_reports.hpp"
#include "tests/unit/os/os_test_support.hpp"

namespace traio::test {

struct Reported {
  enum class Kind { Started, Ready, Exited, Signalled, ReadyFailed };
  Kind kind;
  NodeId id;
  std::optional<int> pid;
  ExitInfo exit;
  int signo = 0;
  std::string why;  // ReadyFailed
};

class RecordingReports : public JobReports {
 public:
  void job_started(NodeId id, std::optional<int> pid) override {
    log.push_back({Reported::Kind::Started, id, pid, {}, 0, {}});
  }
  void job_ready(NodeId id) override { log.push_back({Reported::Kind::Ready, id, {}, {}, 0, {}}); }
  void job_exited(NodeId id, ExitInfo exit) override {
    log.push_back({Reported::Kind::Exited, id, {}, std::move(exit), 0, {}});
  }
  void job_signalled(NodeId id, int signo) override {
    log.push_back({Reported::Kind::Signalled, id, {}, {}, signo, {}});
  }
  void job_ready_failed(NodeId id, std::string why) override {
    log.push_back({Reported::Kind::ReadyFailed, id, {}, {}, 0, std::move(why)});
  }

  const Reported* find(Reported::Kind kind, NodeId id) const {
    for (const auto& r : log)
      if (r.kind == kind && r.id == id) return &r;
    return nullptr;
  }
  std::optional<ExitInfo> exit_of(NodeId id) const {
    if (const auto* r = find(Reported::Kind::Exited, id)) return r->exit;
    return std::nullopt;
  }
  std::vector<int> signals_of(NodeId id) const {
    std::vector<int> out;
    for (const auto& r : log)
      if (r.kind == Reported::Kind::Signalled && r.id == id) out.push_back(r.signo);
    return out;
  }

  std::vector<Reported> log;
};

// The records of a capture log as (stream, line); a line that is no record is ("?", text).
inline std::vector<std::pair<std::string, std::string>> capture_records(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(read_file(path));
  std::string text;
  while (std::getline(in, text)) {
    if (auto record = parse_record(text))
      out.emplace_back(std::string(to_string(record->stream)), std::string(record->line));
    else
      out.emplace_back("?", text);
  }
  return out;
}

// The captured lines of one stream ("out" or "err"), each with its newline. (The order
// between the two streams is the order the daemon read them in, not the one they were written in.)
inline std::string captured_text(const std::string& path, const std::string& stream) {
  std::string out;
  for (const auto& [s, line] : capture_records(path))
    if (s == stream) out += line + "\n";
  return out;
}

// Runs the loop until `pred` holds or `limit` passed; returns whether it holds.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= end) return false;
    io.restart();
    io.run_one_for(std::min<std::chrono::steady_clock::duration>(end - now, std::chrono::milliseconds(20)));
  }
  return true;
}

}  // namespace traio::test
