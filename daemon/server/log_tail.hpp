#pragma once
// The end of a job's capture log, read in one bounded step so that a huge log cannot stall
// the loop (DESIGN: slow work stays bounded), as records (runners/capture_record.hpp).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "daemon/runners/capture_record.hpp"

namespace traio {

inline constexpr std::size_t kMaxLogRead = 4u << 20;

struct LogLine {
  std::string time;  // RFC 3339 UTC with milliseconds; empty for a line that is no record
  OutputStream stream = OutputStream::Out;
  std::string line;
};

// The last `lines` records (all when nullopt) of the file's last `max_bytes`, of `stream`
// only when given. A missing file has no lines (the job has not written yet). The first line
// is dropped when the read starts in its middle. A line that is not a record (not written by
// traiod) is kept whole, as stdout without a time.
std::vector<LogLine> read_last_records(const std::string& path, std::optional<OutputStream> stream,
                                       std::optional<std::size_t> lines, std::size_t max_bytes = kMaxLogRead);

}  // namespace traio
