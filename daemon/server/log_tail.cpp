#include "daemon/server/log_tail.hpp"

#include <algorithm>
#include <fstream>

#include "daemon/runners/rotating_log.hpp"

namespace traio {

namespace {

struct Tail {
  bool exists = false;
  bool cut = false;  // the read began after the file's start
  std::string data;
};

Tail read_tail(const std::string& path, std::size_t max_bytes) {
  Tail tail;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return tail;
  tail.exists = true;
  const std::streamoff size = in.tellg();
  if (size <= 0) return tail;
  const std::streamoff start = size > static_cast<std::streamoff>(max_bytes) ? size - max_bytes : 0;
  tail.data.assign(static_cast<std::size_t>(size - start), '\0');
  in.seekg(start);
  in.read(tail.data.data(), static_cast<std::streamsize>(tail.data.size()));
  tail.data.resize(static_cast<std::size_t>(in.gcount()));
  tail.cut = start > 0;
  return tail;
}

// The lines of one file's tail, oldest first.
std::vector<LogLine> lines_of(const Tail& tail, std::optional<OutputStream> stream) {
  std::vector<LogLine> out;
  const std::string& data = tail.data;
  std::size_t pos = 0;
  if (tail.cut) {  // the read began mid-line: that partial line is not shown
    auto nl = data.find('\n');
    pos = nl == std::string::npos ? data.size() : nl + 1;
  }
  while (pos < data.size()) {
    auto nl = data.find('\n', pos);
    if (nl == std::string::npos) nl = data.size();
    LogLine line = to_log_line(std::string_view(data).substr(pos, nl - pos));
    if (!stream || line.stream == *stream) out.push_back(std::move(line));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

LogLine to_log_line(std::string_view text) {
  if (auto record = parse_record(text))
    return LogLine{std::string(record->time), record->stream, std::string(record->line)};
  return LogLine{std::string(), OutputStream::Out, std::string(text)};
}

std::vector<LogLine> read_last_records(const std::string& path, std::optional<OutputStream> stream,
                                       std::optional<std::size_t> lines, std::size_t max_bytes) {
  // Newest file first; each older file is read only while lines are missing and budget is
  // left. The files are read on the loop between two of its turns, so no rotation can
  // happen in the middle.
  std::vector<std::vector<LogLine>> files;
  std::size_t found = 0;
  std::size_t budget = max_bytes;
  for (unsigned generation = 0; budget > 0 && (!lines || found < *lines); ++generation) {
    Tail tail = read_tail(rotated_log_path(path, generation), budget);
    if (!tail.exists) break;  // rotations are numbered without gaps
    budget -= tail.data.size();
    files.push_back(lines_of(tail, stream));
    found += files.back().size();
    if (tail.cut) break;  // the budget ended inside this file
  }
  std::vector<LogLine> out;
  out.reserve(found);
  for (auto file = files.rbegin(); file != files.rend(); ++file)
    std::move(file->begin(), file->end(), std::back_inserter(out));
  if (lines && out.size() > *lines) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(*lines));
  return out;
}

}  // namespace traio
