#include "common/json_limits.hpp"

#include <doctest/doctest.h>

using namespace traio;

namespace {
std::string nested_arrays(std::size_t depth, bool closed = true) {
  return std::string(depth, '[') + (closed ? std::string(depth, ']') : std::string());
}
std::string nested_objects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(depth, '}');
  return s;
}
}  // namespace

TEST_CASE("json limits: good documents parse") {
  auto r = parse_json_limited(R"({"v":1,"id":7,"op":"ping","args":{"x":[1,2,{"y":null}]}})", {});
  REQUIRE(r.ok());
  CHECK((*r)["args"]["x"][2]["y"].is_null());
  CHECK(parse_json_limited("42", {}).ok());
}

TEST_CASE("json limits: nesting up to the limit is fine, one more is limit_exceeded") {
  JsonLimits limits{.max_bytes = 1 << 20, .max_depth = 64};
  CHECK(parse_json_limited(nested_arrays(64), limits).ok());
  CHECK(parse_json_limited(nested_objects(64), limits).ok());
  auto deep = parse_json_limited(nested_arrays(65), limits);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().code == ErrorCode::LimitExceeded);
  CHECK(deep.error().message.find("64") != std::string::npos);
  CHECK(parse_json_limited(nested_objects(65), limits).error().code == ErrorCode::LimitExceeded);
}

TEST_CASE("json limits: a 100000-deep array is refused without overflowing the stack") {
  JsonLimits limits{.max_bytes = 1 << 20, .max_depth = 64};
  for (bool closed : {false, true}) {
    auto r = parse_json_limited(nested_arrays(100000, closed), limits);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::LimitExceeded);
  }
}

TEST_CASE("json limits: the length is checked before parsing") {
  JsonLimits limits{.max_bytes = 10, .max_depth = 64};
  CHECK(parse_json_limited("[1,2,3,4]", limits).ok());
  // Not even valid JSON: the length alone decides.
  auto r = parse_json_limited("[1,2,3,4,5,6 garbage", limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::LimitExceeded);
  CHECK(r.error().message.find("20 bytes") != std::string::npos);
}

TEST_CASE("json limits: syntax errors are bad_json with the byte offset") {
  auto r = parse_json_limited(R"({"a": tru})", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::BadJson);
  CHECK(r.error().message.find("at byte ") != std::string::npos);
  CHECK(r.error().message.find("[json.exception") == std::string::npos);
  for (const char* bad : {"", "{", "{} {}", "{\"a\":1,}", "\"\xff\"", "[1e400]", "nul"}) {
    CAPTURE(bad);
    auto e = parse_json_limited(bad, {});
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().code == ErrorCode::BadJson);
  }
}

TEST_CASE("json limits: huge integers do not throw") {
  auto r = parse_json_limited("[18446744073709551616, -9223372036854775809, 1e308]", {});
  REQUIRE(r.ok());  // nlohmann keeps them as doubles; range checks belong to the callers
  CHECK((*r)[0].is_number_float());
}

TEST_CASE("json limits: brackets inside strings do not count as nesting") {
  JsonLimits limits;
  limits.max_depth = 2;
  auto r = parse_json_limited(R"({"a": ["[[[[{{{{", "\"[[[[", "\\"]})", limits);
  REQUIRE(r.ok());
  CHECK((*r)["a"][1] == "\"[[[[");
  auto deep = parse_json_limited(R"({"a": [["x"]]})", limits);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().code == ErrorCode::LimitExceeded);
}

TEST_CASE("json limits: a wide document (a tree of 20000 children) parses whole") {
  std::string text = R"({"name": "t", "children": [)";
  for (int i = 0; i < 20000; ++i) text += (i ? "," : "") + std::string(R"({"argv": ["/bin/true"], "env": {"K": "V"}})");
  text += "]}";
  auto r = parse_json_limited(text, JsonLimits{1 << 22, 64});
  REQUIRE(r.ok());
  CHECK((*r)["children"].size() == 20000);
}
