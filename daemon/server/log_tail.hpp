#pragma once
// The end of a job's capture log, read in one bounded step so that a huge log cannot stall
// the loop (DESIGN: slow work stays bounded).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace traio {

inline constexpr std::size_t kMaxLogRead = 4u << 20;

// The last `lines` lines (all when nullopt) of the file's last `max_bytes`. A missing file
// has no lines (the job has not written yet). The first line is dropped when the read
// starts in its middle.
std::vector<std::string> read_last_lines(const std::string& path, std::optional<std::size_t> lines,
                                         std::size_t max_bytes = kMaxLogRead);

}  // namespace traio
