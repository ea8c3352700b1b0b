#pragma once
// A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line is
// `# HELP name text`, `# TYPE name type`, another `# ` comment, or a sample
// `name{label="value",...} value [timestamp]`. It refuses what Prometheus would refuse and
// more: a sample before its family's TYPE, a family split in two groups, a repeated TYPE
// or HELP, a repeated series, a bad name, escape or number, an unterminated last line.
// (promtool is not packaged small enough to depend on; see docs/metrics.md.)
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace traio::test {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string type;
  std::string help;
  bool has_help = false;
};

struct PromText {
  std::map<std::string, PromFamily> families;
  std::vector<PromSample> samples;

  // The value of the one series `name{labels}`, or nullopt.
  std::optional<double> value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& s : samples)
      if (s.name == name && s.labels == labels) return s.value;
    return std::nullopt;
  }
  std::size_t count(const std::string& name) const {
    std::size_t n = 0;
    for (const auto& s : samples) n += s.name == name;
    return n;
  }
};

namespace prom_detail {

inline bool is_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

inline bool is_label_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return !(s.size() >= 2 && s[0] == '_' && s[1] == '_');  // reserved for Prometheus itself
}

// Go's strconv.ParseFloat as Prometheus uses it, less hex floats: NaN, +Inf, -Inf, decimals.
inline std::optional<double> parse_float(std::string_view s) {
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "+Inf" || s == "Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return std::nullopt;
  std::string text(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE) return std::nullopt;
  return v;
}

inline bool is_int64(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// The family a sample name belongs to: itself, or for histograms and summaries its base.
inline std::string family_of(const std::string& name, const std::map<std::string, PromFamily>& families) {
  if (families.count(name)) return name;
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      std::string base = name.substr(0, name.size() - suffix.size());
      auto it = families.find(base);
      if (it != families.end() && (it->second.type == "histogram" || it->second.type == "summary")) return base;
    }
  }
  return name;
}

// `{a="x",b="y"}` at the start of `s`; advances `s` past it.
inline std::optional<std::string> parse_labels(std::string_view& s, std::map<std::string, std::string>& labels) {
  s.remove_prefix(1);  // '{'
  while (true) {
    if (!s.empty() && s[0] == '}') {
      s.remove_prefix(1);
      return std::nullopt;
    }
    auto eq = s.find('=');
    if (eq == std::string_view::npos) return "label without '='";
    std::string name(s.substr(0, eq));
    if (!is_label_name(name)) return "bad label name '" + name + "'";
    s.remove_prefix(eq + 1);
    if (s.empty() || s[0] != '"') return "label value of '" + name + "' is not quoted";
    s.remove_prefix(1);
    std::string value;
    bool closed = false;
    while (!s.empty()) {
      char c = s[0];
      s.remove_prefix(1);
      if (c == '"') {
        closed = true;
        break;
      }
      if (c == '\\') {
        if (s.empty()) return "dangling backslash";
        char e = s[0];
        s.remove_prefix(1);
        if (e == '\\') value += '\\';
        else if (e == '"') value += '"';
        else if (e == 'n') value += '\n';
        else return std::string("bad escape \\") + e + " in label value";
        continue;
      }
      if (c == '\n') return "raw newline in label value";
      value += c;
    }
    if (!closed) return "unterminated label value";
    if (!labels.emplace(name, value).second) return "label '" + name + "' twice";
    if (!s.empty() && s[0] == ',') s.remove_prefix(1);
    else if (s.empty() || s[0] != '}') return "expected ',' or '}' after a label";
  }
}

inline std::optional<std::string> parse_help_text(std::string_view s, std::string& out) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return "dangling backslash in HELP";
    if (s[i] == '\\') out += '\\';
    else if (s[i] == 'n') out += '\n';
    else return std::string("bad escape \\") + s[i] + " in HELP";
  }
  return std::nullopt;
}

}  // namespace prom_detail

// The parsed text, or an error naming the line ("line 7: ...").
inline std::variant<PromText, std::string> parse_prometheus_text(std::string_view text) {
  using namespace prom_detail;
  PromText out;
  std::set<std::string> series;
  std::set<std::string> finished;  // families whose group of lines has ended
  std::string current;             // the family of the lines being read
  std::size_t line_no = 0;
  auto fail = [&](const std::string& why) { return "line " + std::to_string(line_no) + ": " + why; };
  auto enter_family = [&](const std::string& family) -> std::optional<std::string> {
    if (family == current) return std::nullopt;
    if (finished.count(family)) return "family " + family + " appears in two groups";
    if (!current.empty()) finished.insert(current);
    current = family;
    return std::nullopt;
  };
  if (!text.empty() && text.back() != '\n') {
    line_no = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    return fail("the last line has no newline");
  }
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.empty()) return fail("empty line");
    if (line[0] == '#') {
      if (line.size() < 2 || line[1] != ' ') return fail("a comment must start with '# '");
      std::string_view rest = line.substr(2);
      const bool help = rest.substr(0, 5) == "HELP ";
      const bool type = rest.substr(0, 5) == "TYPE ";
      if (!help && !type) continue;  // another comment: ignored, as the format says
      rest.remove_prefix(5);
      auto sp = rest.find(' ');
      std::string name(rest.substr(0, sp));
      if (!is_metric_name(name)) return fail("bad metric name '" + name + "'");
      if (sp == std::string_view::npos) return fail("no text after the name");
      std::string_view value = rest.substr(sp + 1);
      if (auto why = enter_family(name)) return fail(*why);
      PromFamily& family = out.families[name];
      if (help) {
        if (family.has_help) return fail("HELP of " + name + " twice");
        family.has_help = true;
        if (auto why = parse_help_text(value, family.help)) return fail(*why);
      } else {
        if (!family.type.empty()) return fail("TYPE of " + name + " twice");
        if (value != "counter" && value != "gauge" && value != "histogram" && value != "summary" && value != "untyped")
          return fail("unknown type '" + std::string(value) + "'");
        for (const auto& s : out.samples)
          if (family_of(s.name, out.families) == name) return fail("TYPE of " + name + " after its samples");
        family.type = std::string(value);
      }
      continue;
    }
    PromSample sample;
    std::size_t name_end = 0;
    while (name_end < line.size() && line[name_end] != '{' && line[name_end] != ' ') ++name_end;
    sample.name = std::string(line.substr(0, name_end));
    if (!is_metric_name(sample.name)) return fail("bad metric name '" + sample.name + "'");
    std::string_view rest = line.substr(name_end);
    if (!rest.empty() && rest[0] == '{')
      if (auto why = parse_labels(rest, sample.labels)) return fail(*why);
    if (rest.empty() || rest[0] != ' ') return fail("expected a space before the value");
    rest.remove_prefix(1);
    auto sp = rest.find(' ');
    auto value = parse_float(rest.substr(0, sp));
    if (!value) return fail("bad value '" + std::string(rest.substr(0, sp)) + "'");
    sample.value = *value;
    if (sp != std::string_view::npos && !is_int64(rest.substr(sp + 1)))
      return fail("bad timestamp '" + std::string(rest.substr(sp + 1)) + "'");
    const std::string family = family_of(sample.name, out.families);
    auto it = out.families.find(family);
    if (it == out.families.end() || it->second.type.empty()) return fail("sample of " + sample.name + " before its TYPE");
    if (auto why = enter_family(family)) return fail(*why);
    if (it->second.type == "counter" && sample.value < 0) return fail("negative counter " + sample.name);
    std::string key = sample.name;
    for (const auto& [k, v] : sample.labels) key += '\x1f' + k + '=' + v;
    if (!series.insert(key).second) return fail("series " + sample.name + " twice");
    out.samples.push_back(std::move(sample));
  }
  return out;
}

}  // namespace traio::test
