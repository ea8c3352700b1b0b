#include "tests/soak/soak_proc.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace traio::soak {
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool is_number(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

// /proc/PID/stat: "pid (comm) S ppid ...": comm may hold spaces and parentheses, so the
// fields after it are found from the last ')'.
std::optional<ProcEntry> read_stat(pid_t pid) {
  const std::string stat = slurp(fs::path("/proc") / std::to_string(pid) / "stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  ProcEntry e;
  e.pid = pid;
  rest >> e.state >> e.ppid;
  if (!rest) return std::nullopt;
  return e;
}

std::string cgroup2_mount_point() {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    return mount_point;
  }
  return {};
}

std::string v2_cgroup_of(pid_t pid) {
  std::istringstream lines(slurp(fs::path("/proc") / std::to_string(pid) / "cgroup"));
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return {};
}

}  // namespace

std::vector<ProcEntry> process_table() {
  std::vector<ProcEntry> table;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (!is_number(name)) continue;
    if (auto e = read_stat(static_cast<pid_t>(std::stol(name)))) table.push_back(*e);
  }
  return table;
}

std::vector<ProcEntry> descendants_of(pid_t root, const std::vector<ProcEntry>& table) {
  std::multimap<pid_t, const ProcEntry*> children;
  for (const auto& e : table) children.emplace(e.ppid, &e);
  std::vector<ProcEntry> out;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    const pid_t parent = todo.back();
    todo.pop_back();
    auto [begin, end] = children.equal_range(parent);
    for (auto it = begin; it != end; ++it) {
      out.push_back(*it->second);
      todo.push_back(it->second->pid);
    }
  }
  return out;
}

int fd_count(pid_t pid) {
  std::error_code ec;
  int n = 0;
  for (auto it = fs::directory_iterator(fs::path("/proc") / std::to_string(pid) / "fd", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec))
    ++n;
  return ec ? -1 : n;
}

long rss_kib(pid_t pid) {
  std::istringstream lines(slurp(fs::path("/proc") / std::to_string(pid) / "status"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream value(line.substr(6));
    long kib = -1;
    value >> kib;
    return kib;
  }
  return -1;
}

std::string describe_process(pid_t pid) {
  const fs::path dir = fs::path("/proc") / std::to_string(pid);
  std::string cmd = slurp(dir / "cmdline");
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  auto stat = read_stat(pid);
  std::ostringstream out;
  out << "pid " << pid;
  if (stat) out << " (ppid " << stat->ppid << ", state " << stat->state << ")";
  out << ": " << (cmd.empty() ? "[" + slurp(dir / "comm") + "]" : cmd);
  std::string text = out.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::vector<std::string> fd_targets(pid_t pid) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path("/proc") / std::to_string(pid) / "fd", ec)) {
    std::error_code link_ec;
    auto target = fs::read_symlink(entry.path(), link_ec);
    out.push_back(entry.path().filename().string() + " -> " + (link_ec ? "?" : target.string()));
  }
  return out;
}

std::vector<std::string> populated_job_cgroups(pid_t traiod) {
  const std::string mount = cgroup2_mount_point();
  const std::string own = v2_cgroup_of(traiod);
  if (mount.empty() || own.empty()) return {};
  const fs::path base = fs::path(mount) / fs::path(own).relative_path();
  const std::string prefix = "traio-" + std::to_string(traiod) + "-";
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& top : fs::directory_iterator(base, ec)) {
    if (!top.is_directory() || top.path().filename().string().rfind(prefix, 0) != 0) continue;
    std::error_code walk_ec;
    for (auto it = fs::recursive_directory_iterator(top.path(), walk_ec);
         !walk_ec && it != fs::recursive_directory_iterator(); it.increment(walk_ec)) {
      if (it->path().filename() != "cgroup.procs") continue;
      std::istringstream pids(slurp(it->path()));
      std::string listed;
      for (std::string pid; pids >> pid;) listed += " " + pid;
      if (!listed.empty()) out.push_back(it->path().parent_path().string() + ":" + listed);
    }
  }
  return out;
}

}  // namespace traio::soak
