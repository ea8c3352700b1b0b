// SpecSource: a node's submitted spec kept as compact text reads back as the same JSON.
#include <doctest/doctest.h>

#include "daemon/core/spec_source.hpp"

using namespace traio;
using nlohmann::json;

TEST_CASE("spec source -- a submitted spec reads back as the same JSON") {
  const json spec = {{"name", "api"}, {"argv", {"sleep", "600"}}, {"env", {{"K", "v \"q\" \xc3\xa9"}}}, {"timeout", "10m"}};
  SpecSource source(spec);
  CHECK_FALSE(source.is_null());
  CHECK(source.json() == spec);
  CHECK(json(source) == spec);
  CHECK(source.text() == spec.dump());
}

TEST_CASE("spec source -- none is null and reads back as null") {
  SpecSource none;
  CHECK(none.is_null());
  CHECK(none.json().is_null());
  none = json(nullptr);
  CHECK(none.is_null());
  none = json::object();
  CHECK_FALSE(none.is_null());
  CHECK(none.json() == json::object());
}
