#pragma once
// Errors in user-written JSON: each names the JSON path of the offending field
// ("children[2].restart.max") and the reason, and the file when there is one.
#include <string>
#include <vector>

namespace traio {

struct ParseError {
  std::string path;     // JSON path, "" for the document itself
  std::string message;  // "expected integer >= 0, got -1"
};

using ParseErrors = std::vector<ParseError>;

// "children[2].restart.max: expected integer >= 0"; with a file: "tree.json: children[2]...".
std::string format_parse_error(const ParseError& error, const std::string& file = {});
std::string format_parse_errors(const ParseErrors& errors, const std::string& file = {});

}  // namespace traio
