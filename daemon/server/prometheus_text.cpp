#include "daemon/server/prometheus_text.hpp"

#include <cmath>

#include <fmt/format.h>

namespace traio {

void append_label_value(std::string& out, std::string_view value) {
  if (value.find_first_of("\\\"\n") == std::string_view::npos) {  // node paths: nothing to escape
    out += value;
    return;
  }
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_help_text(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void PrometheusText::family(std::string_view name, MetricType type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_help_text(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  switch (type) {
    case MetricType::Counter: out_ += " counter\n"; break;
    case MetricType::Gauge: out_ += " gauge\n"; break;
  }
}

void PrometheusText::sample(std::string_view name, double v) {
  out_ += name;
  value(v);
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels, double v) {
  out_ += name;
  out_ += '{';
  bool first = true;
  for (const Label& label : labels) {
    if (!first) out_ += ',';
    first = false;
    out_ += label.name;
    out_ += "=\"";
    append_label_value(out_, label.value);
    out_ += '"';
  }
  out_ += '}';
  value(v);
}

// Integers as integers (counters mostly are), the rest in the shortest form that reads back
// the same; the format spells the special values +Inf, -Inf and NaN.
void PrometheusText::value(double v) {
  out_ += ' ';
  if (std::isnan(v)) out_ += "NaN";
  else if (std::isinf(v)) out_ += v > 0 ? "+Inf" : "-Inf";
  else if (v == std::floor(v) && std::fabs(v) < 1e15) fmt::format_to(std::back_inserter(out_), "{}", static_cast<long long>(v));
  else fmt::format_to(std::back_inserter(out_), "{}", v);
  out_ += '\n';
}

}  // namespace traio
