#include "daemon/runners/capture_record.hpp"

#include <ctime>

#include <fmt/core.h>

namespace traio {

namespace {
constexpr std::size_t kTimeWidth = 24;  // "2026-11-25T17:01:04.856Z"
}

std::string_view to_string(OutputStream stream) {
  switch (stream) {
    case OutputStream::Out: return "out";
    case OutputStream::Err: return "err";
  }
  return "out";
}

std::optional<OutputStream> output_stream_from_string(std::string_view text) {
  if (text == "out") return OutputStream::Out;
  if (text == "err") return OutputStream::Err;
  return std::nullopt;
}

std::string format_record_time(WallTime time) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  auto secs = ms / 1000;
  auto frac = ms % 1000;
  if (frac < 0) {  // floor division for times before 1970
    frac += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void append_record(std::string& out, std::string_view time, OutputStream stream, std::string_view line) {
  out.append(time);
  out += ' ';
  out.append(to_string(stream));
  out += ' ';
  out.append(line);
  out += '\n';
}

std::optional<CaptureRecord> parse_record(std::string_view text) {
  // "<24-char time> <3-char stream> <line>"; the line may be empty
  constexpr std::size_t kPrefix = kTimeWidth + 1 + 3 + 1;
  if (text.size() < kPrefix || text[kTimeWidth] != ' ' || text[kPrefix - 1] != ' ') return std::nullopt;
  if (text[kTimeWidth - 1] != 'Z' || text[10] != 'T') return std::nullopt;
  auto stream = output_stream_from_string(text.substr(kTimeWidth + 1, 3));
  if (!stream) return std::nullopt;
  return CaptureRecord{text.substr(0, kTimeWidth), *stream, text.substr(kPrefix)};
}

}  // namespace traio
