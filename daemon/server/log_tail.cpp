#include "daemon/server/log_tail.hpp"

#include <fstream>

namespace traio {

std::vector<std::string> read_last_lines(const std::string& path, std::optional<std::size_t> lines,
                                         std::size_t max_bytes) {
  std::vector<std::string> out;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return out;
  const std::streamoff size = in.tellg();
  if (size <= 0) return out;
  const std::streamoff start = size > static_cast<std::streamoff>(max_bytes) ? size - max_bytes : 0;
  std::string data(static_cast<std::size_t>(size - start), '\0');
  in.seekg(start);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));

  std::size_t pos = 0;
  if (start > 0) {  // the read began mid-line: that partial line is not shown
    auto nl = data.find('\n');
    pos = nl == std::string::npos ? data.size() : nl + 1;
  }
  while (pos < data.size()) {
    auto nl = data.find('\n', pos);
    if (nl == std::string::npos) nl = data.size();
    out.emplace_back(data, pos, nl - pos);
    pos = nl + 1;
  }
  if (lines && out.size() > *lines) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(*lines));
  return out;
}

}  // namespace traio
