#pragma once
// The end of a job's capture log, read in one bounded step so that a huge log cannot stall
// the loop (DESIGN: slow work stays bounded), as records (runners/capture_record.hpp). The
// end may span rotations: <log>.1, <log>.2... hold the older records (runners/rotating_log.hpp).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/runners/capture_record.hpp"

namespace traio {

inline constexpr std::size_t kMaxLogRead = 4u << 20;

struct LogLine {
  std::string time;  // RFC 3339 UTC with milliseconds; empty for a line that is no record
  OutputStream stream = OutputStream::Out;
  std::string line;
};

// One line of a log file (without its newline) as a LogLine. A line that is not a record
// (not written by traiod) is kept whole, as stdout without a time.
LogLine to_log_line(std::string_view text);

// The last `lines` records (all when nullopt) of the log's last `max_bytes`, of `stream`
// only when given. When the log itself holds fewer, the rest comes from its rotations,
// newest first, within the same byte budget. A missing file has no lines (the job has not
// written yet). The first line is dropped when the read starts in its middle.
std::vector<LogLine> read_last_records(const std::string& path, std::optional<OutputStream> stream,
                                       std::optional<std::size_t> lines, std::size_t max_bytes = kMaxLogRead);

}  // namespace traio
