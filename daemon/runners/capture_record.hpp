#pragma once
// The record format of a capture log (output: capture, SPEC §2): one line of the job's output
// per record, tagged with its time and stream, so `logs --stream` and `--timestamps` can be
// answered and a plain grep still works:
//
//   2026-11-25T17:01:04.856Z out listening on :8080
//   2026-11-25T17:01:04.861Z err warning: no config, using defaults
//
// RFC 3339 UTC with milliseconds (fixed width, so times sort as strings), one space, `out` or
// `err`, one space, the raw bytes of the line without its newline. A line longer than
// kMaxRecordLine is cut into several records (a job's endless line cannot grow the daemon's
// memory); a last line without newline becomes a record at EOF.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/core/time.hpp"

namespace traio {

enum class OutputStream { Out, Err };
std::string_view to_string(OutputStream stream);
std::optional<OutputStream> output_stream_from_string(std::string_view text);

inline constexpr std::size_t kMaxRecordLine = 16u << 10;

// "2026-11-25T17:01:04.856Z": the time of every record read in one chunk.
std::string format_record_time(WallTime time);

// Appends "<time> <stream> <line>\n" to `out`; `line` holds no newline.
void append_record(std::string& out, std::string_view time, OutputStream stream, std::string_view line);

struct CaptureRecord {
  std::string_view time;
  OutputStream stream = OutputStream::Out;
  std::string_view line;
};

// nullopt when `text` (one line of a capture log, without newline) is not a record.
std::optional<CaptureRecord> parse_record(std::string_view text);

}  // namespace traio
