#include "cli/render_tree.hpp"

#include <pwd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace traio::cli {

using nlohmann::json;

namespace {

constexpr std::size_t kColumns = 10;
using Row = std::array<std::string, kColumns>;
constexpr Row kHeader = {"NAME", "KIND", "STATE", "OUTCOME", "PID", "AGE", "EXIT", "CPU", "MEM", "OWNER"};
constexpr std::size_t kCpuColumn = 7;  // CPU and MEM: ps --stats only (SPEC §6 usage)
constexpr std::size_t kMemColumn = 8;
constexpr std::size_t kOwnerColumn = 9;

// The user name of a uid when it has one, else the number. Looked up once per uid: each
// getpwuid reads /etc/passwd again, and a tree of 1000 jobs of one user took 1000 reads.
class OwnerNames {
 public:
  const std::string& of(const json& node) {
    static const std::string kNone = "-";
    auto it = node.find("owner_uid");
    if (it == node.end() || !it->is_number_integer() || it->get<long long>() < 0) return kNone;
    const auto uid = static_cast<uid_t>(it->get<long long>());
    auto [known, added] = names_.try_emplace(uid);
    if (added) {
      const passwd* pw = ::getpwuid(uid);
      known->second = pw != nullptr ? std::string(pw->pw_name) : std::to_string(uid);
    }
    return known->second;
  }

 private:
  std::map<uid_t, std::string> names_;
};

std::string kind_of(const json& node) {
  if (auto it = node.find("kind"); it != node.end() && it->is_string()) return it->get<std::string>();
  return scalar_text(node.value("type", json()));
}

// A re-run node (SPEC §6 `restart`, `retry`) says which run of its path it is.
std::string generation_suffix(const json& node) {
  const auto gen = node.value("generation", 1LL);
  return gen > 1 ? " (gen " + std::to_string(gen) + ")" : std::string();
}

// CPU time as "0.42s", "3m07s" or "2h05m"; "-" when the node has none.
std::string cpu_text(const json& node) {
  auto it = node.find("cpu_usec");
  if (it == node.end() || !it->is_number_unsigned()) return "-";
  const auto usec = it->get<std::uint64_t>();
  const std::uint64_t seconds = usec / 1000000;
  char text[32];
  if (seconds < 60) std::snprintf(text, sizeof text, "%.2fs", static_cast<double>(usec) / 1e6);
  else if (seconds < 3600) std::snprintf(text, sizeof text, "%llum%02llus", static_cast<unsigned long long>(seconds / 60),
                                         static_cast<unsigned long long>(seconds % 60));
  else std::snprintf(text, sizeof text, "%lluh%02llum", static_cast<unsigned long long>(seconds / 3600),
                     static_cast<unsigned long long>(seconds / 60 % 60));
  return text;
}

// Resident memory as "812K", "12.4M" or "1.5G"; "-" when the node has none.
std::string memory_text(const json& node) {
  auto it = node.find("memory_bytes");
  if (it == node.end() || !it->is_number_unsigned()) return "-";
  const auto bytes = static_cast<double>(it->get<std::uint64_t>());
  char text[32];
  if (bytes < 1024.0 * 1024) std::snprintf(text, sizeof text, "%.0fK", bytes / 1024);
  else if (bytes < 1024.0 * 1024 * 1024) std::snprintf(text, sizeof text, "%.1fM", bytes / (1024.0 * 1024));
  else std::snprintf(text, sizeof text, "%.1fG", bytes / (1024.0 * 1024 * 1024));
  return text;
}

Row row_of(const json& node, const std::string& label, const TreeStyle& style, OwnerNames& owners) {
  const auto age = node_age(node, style.now);
  std::string exit = exit_text(node);
  if (exit.rfind("exit code ", 0) == 0) exit = exit.substr(10);
  return Row{label + generation_suffix(node),
             kind_of(node),
             state_text(node, style.now),
             scalar_text(node.value("outcome", json())),
             scalar_text(node.value("pid", json())),
             age ? format_age(*age) : "-",
             exit.empty() ? "-" : exit,
             cpu_text(node),
             memory_text(node),
             owners.of(node)};
}

// Depth-first, children in the order the daemon lists them (submission order).
void collect(const json& node, const std::string& prefix, const std::string& branch,
             const TreeStyle& style, OwnerNames& owners, std::vector<Row>& rows) {
  const std::string name = rows.empty() ? node.value("path", "/") : node.value("name", "?");
  rows.push_back(row_of(node, prefix + branch + name, style, owners));
  auto it = node.find("children");
  if (it == node.end() || !it->is_array()) return;
  // The root row has no branch; below it each level indents under its parent's branch.
  const std::string child_prefix =
      branch.empty() ? prefix : prefix + (branch == "└─ " ? "   " : "│  ");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const bool last = i + 1 == it->size();
    collect((*it)[i], child_prefix, last ? "└─ " : "├─ ", style, owners, rows);
  }
}

// ANSI colour for a state or outcome word; "" for none.
std::string_view colour_of(std::size_t column, const std::string& word) {
  if (column == 3) {
    if (word == "succeeded") return "\033[32m";
    if (word == "failed" || word == "timed_out" || word == "lost") return "\033[31m";
    if (word == "cancelled" || word == "skipped") return "\033[33m";
  }
  if (column == 2) {
    if (word == "running" || word == "open") return "\033[36m";
    if (word == "stopping" || word == "cancelling") return "\033[33m";
  }
  return "";
}

}  // namespace

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // skip UTF-8 continuation bytes
  }));
}

std::string render_tree(const json& root, const TreeStyle& style) {
  std::vector<Row> rows{kHeader};
  std::vector<Row> body;
  OwnerNames owners;
  collect(root, "", "", style, owners, body);
  rows.insert(rows.end(), body.begin(), body.end());
  // OWNER only when the tree holds nodes of more than one user (SPEC §5): a single user's
  // tree stays as narrow as before.
  const bool several_owners = std::any_of(body.begin(), body.end(),
                                          [&](const Row& row) { return row[kOwnerColumn] != body.front()[kOwnerColumn]; });
  std::vector<std::size_t> shown;
  for (std::size_t c = 0; c < kColumns; ++c) {
    if ((c == kCpuColumn || c == kMemColumn) && !style.stats) continue;
    if (c == kOwnerColumn && !several_owners) continue;
    shown.push_back(c);
  }
  std::array<std::size_t, kColumns> width{};
  for (const auto& row : rows)
    for (std::size_t c : shown) width[c] = std::max(width[c], display_width(row[c]));
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (std::size_t c : shown) {
      const std::string& cell = rows[r][c];
      const std::string_view colour =
          style.colour == Colour::On && r > 0 ? colour_of(c, cell) : std::string_view{};
      line += colour;
      line += cell;
      if (!colour.empty()) line += "\033[0m";
      if (c != shown.back()) line += std::string(width[c] - display_width(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace traio::cli
