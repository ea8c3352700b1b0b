#pragma once
// The crash journal's records (docs/journal.md), one JSON object per line, written by
// Journal and read back by recover_journal(). Times are milliseconds since the epoch.
//   {"j":"run","v":1,"pid":P,"pid_start":T,"boot":B,"at":MS}       first line of a file
//   {"j":"node","id":N,"parent":N,"type":"job","kind":"process","name":S,"owner":U,
//    "flags":{"master":b,"bubble":b,"awaited":b},"created":MS,"spec":{...}}
//   {"j":"start","id":N,"pid":P|null,"start_time":T,"cgroup":S,"at":MS} each run of a job
//   {"j":"end","id":N,"outcome":S,"reason":S,"exit_code":C|null,"signal":N|null,
//    "restarts":R,"started":MS|null,"ended":MS,"cause":{...}|null}
// Ids name nodes within one run; a "run" line starts a new run.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/core/node.hpp"
#include "daemon/core/restored_node.hpp"

namespace traio::journal {

inline constexpr int kFormatVersion = 1;

std::int64_t to_ms(WallTime time);
WallTime from_ms(std::int64_t ms);

struct RunRecord {
  int pid = 0;
  std::uint64_t pid_start = 0;  // the daemon's own start time: tells a live old daemon apart
  std::string boot;
};

struct StartRecord {
  std::optional<int> pid;
  std::uint64_t start_time = 0;
  std::string cgroup;
  WallTime at{};
};

nlohmann::json run_record(const RunRecord& run, WallTime at);
nlohmann::json node_record(const Node& node);
nlohmann::json start_record(NodeId id, const StartRecord& start);
nlohmann::json end_record(const Node& node);

nlohmann::json cause_to_json(const Cause* cause);
std::shared_ptr<const Cause> cause_from_json(const nlohmann::json& j);

// Reading back: what each record says, or nullopt for a record that does not parse.
std::optional<RunRecord> read_run(const nlohmann::json& j);
std::optional<StartRecord> read_start(const nlohmann::json& j);
// The node as done: its recorded outcome once an end record is applied, until then Lost.
std::optional<RestoredNode> read_node(const nlohmann::json& j);
bool apply_end(const nlohmann::json& j, RestoredNode& node);

}  // namespace traio::journal
