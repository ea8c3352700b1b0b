#include "daemon/server/log_tail.hpp"

#include <fstream>

namespace traio {

namespace {

std::string read_tail(const std::string& path, std::size_t max_bytes, bool& cut) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const std::streamoff size = in.tellg();
  if (size <= 0) return {};
  const std::streamoff start = size > static_cast<std::streamoff>(max_bytes) ? size - max_bytes : 0;
  std::string data(static_cast<std::size_t>(size - start), '\0');
  in.seekg(start);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  cut = start > 0;
  return data;
}

LogLine to_log_line(std::string_view text) {
  if (auto record = parse_record(text))
    return LogLine{std::string(record->time), record->stream, std::string(record->line)};
  return LogLine{std::string(), OutputStream::Out, std::string(text)};
}

}  // namespace

std::vector<LogLine> read_last_records(const std::string& path, std::optional<OutputStream> stream,
                                       std::optional<std::size_t> lines, std::size_t max_bytes) {
  std::vector<LogLine> out;
  bool cut = false;
  const std::string data = read_tail(path, max_bytes, cut);
  std::size_t pos = 0;
  if (cut) {  // the read began mid-line: that partial line is not shown
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
  if (lines && out.size() > *lines) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(*lines));
  return out;
}

}  // namespace traio
