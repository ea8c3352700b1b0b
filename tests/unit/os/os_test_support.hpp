#pragma once
// Helpers for tests that start real processes: a temporary directory removed afterwards,
// file reading, polling with a deadline, and /proc inspection.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace traio::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "traio-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// The value of a "Key:\tvalue" line of /proc/<pid>/status, or nullopt when the process is gone.
inline std::optional<std::string> proc_status_field(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      auto value = line.substr(key.size() + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  }
  return std::nullopt;
}

// A pid that no longer runs: gone, or a zombie waiting for someone else's reaper.
// The fds a process holds, sorted ("0", "1", "2", ...).
inline std::vector<std::string> open_fds(int pid) {
  std::vector<std::string> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    fds.push_back(entry.path().filename().string());
  std::sort(fds.begin(), fds.end());
  return fds;
}

// True once `pid` holds only stdin, stdout and stderr. The launcher marks the daemon's fds
// close-on-exec and the kernel closes them during the exec, around the moment /proc shows
// the new name: wait for the exec to be through rather than look once.
inline bool holds_only_std_fds(int pid) {
  const std::vector<std::string> clean{"0", "1", "2"};
  return wait_until([&] { return open_fds(pid) == clean; });
}

inline bool process_gone(int pid) {
  auto state = proc_status_field(pid, "State");
  return !state || state->front() == 'Z' || state->front() == 'X';
}

// True when this test process has no child left, reaped or not (nothing leaked).
inline bool no_children_left() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

}  // namespace traio::test
