#include "config/parse_error.hpp"

namespace traio {

std::string format_parse_error(const ParseError& error, const std::string& file) {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!error.path.empty()) out += error.path + ": ";
  out += error.message;
  return out;
}

// One error per line, as the protocol carries them in an invalid_request message.
std::string format_parse_errors(const ParseErrors& errors, const std::string& file) {
  std::string out;
  for (const ParseError& error : errors) {
    if (!out.empty()) out += '\n';
    out += format_parse_error(error, file);
  }
  return out;
}

}  // namespace traio
