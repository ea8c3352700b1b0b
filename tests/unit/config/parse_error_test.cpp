#include "config/parse_error.hpp"

#include <doctest/doctest.h>

using namespace traio;

TEST_CASE("parse errors: path, message and file, one per line") {
  ParseError e{"children[2].restart.max", "expected integer >= 0"};
  CHECK(format_parse_error(e) == "children[2].restart.max: expected integer >= 0");
  CHECK(format_parse_error(e, "tree.json") == "tree.json: children[2].restart.max: expected integer >= 0");
  CHECK(format_parse_error({"", "expected object, got array"}) == "expected object, got array");
  CHECK(format_parse_errors({e, {"name", "bad"}}, "t.json") ==
        "t.json: children[2].restart.max: expected integer >= 0\nt.json: name: bad");
  CHECK(format_parse_errors({}).empty());
}
