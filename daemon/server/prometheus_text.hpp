#pragma once
// The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` lines, then
// the family's samples, `name{label="value",...} value`. Written by hand (DESIGN: a few
// lines), into one string the caller sizes.
#include <string>
#include <string_view>
#include <utility>

namespace traio {

enum class MetricType { Counter, Gauge };

struct Label {
  std::string_view name;
  std::string_view value;
};

class PrometheusText {
 public:
  explicit PrometheusText(std::string& out) : out_(out) {}

  // Starts a family: its HELP and TYPE lines. Every sample of the family follows it.
  void family(std::string_view name, MetricType type, std::string_view help);
  void sample(std::string_view name, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, Label label, double value) { sample(name, {label}, value); }

 private:
  void value(double v);

  std::string& out_;
};

// A label value as the format wants it: backslash, double quote and newline escaped.
void append_label_value(std::string& out, std::string_view value);
// A HELP text: backslash and newline escaped.
void append_help_text(std::string& out, std::string_view text);

}  // namespace traio
