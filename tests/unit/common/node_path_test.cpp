#include "common/node_path.hpp"

#include <doctest/doctest.h>

using namespace traio;

TEST_CASE("node path: valid and invalid names") {
  for (const char* ok : {"a", "A", "0", "api", "job-17", "web_1.v2", "x.y-z_"}) {
    CAPTURE(ok);
    CHECK(is_valid_name(ok));
    CHECK(name_error(ok).empty());
  }
  CHECK(is_valid_name(std::string(64, 'a')));
  CHECK_FALSE(is_valid_name(std::string(65, 'a')));
  CHECK(name_error(std::string(65, 'a')).find("65 characters") != std::string::npos);
  for (const char* bad : {"", ".", "..", "-x", "_x", ".hidden", "a b", "a/b", "a\tb", "é", "naïve", "a:b"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_name(bad));
    CHECK_FALSE(name_error(bad).empty());
  }
  CHECK(name_error("..") == "name '..' must start with a letter or digit");
  CHECK(name_error("a\nb").find("\\x0a") != std::string::npos);  // control chars are escaped
  CHECK(name_error("caf\xc3\xa9").find("byte 0xc3") != std::string::npos);
}

TEST_CASE("node path: split") {
  CHECK(split_path("/")->empty());
  CHECK(*split_path("/ci") == std::vector<std::string>{"ci"});
  CHECK(*split_path("/ci/tests/unit") == std::vector<std::string>{"ci", "tests", "unit"});
  for (const char* bad : {"", "ci", "ci/tests", "/ci/", "//", "/ci//x", "/ci/..", "/./x", "/a\x01", "/a b"}) {
    CAPTURE(bad);
    auto r = split_path(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::InvalidRequest);
  }
  CHECK(split_path("/ci/..").error().message.find("'..'") != std::string::npos);
  CHECK(split_path("/ci/").error().message.find("ends with '/'") != std::string::npos);
}

TEST_CASE("node path: join and resolve") {
  CHECK(join_path("/", "ci") == "/ci");
  CHECK(join_path("/ci", "tests") == "/ci/tests");
  CHECK(resolve_path("/ci", "tests/unit") == "/ci/tests/unit");
  CHECK(resolve_path("/", "x") == "/x");
  CHECK(resolve_path("/ci", "/other") == "/other");
  CHECK(resolve_path("/ci", "") == "/ci");
  CHECK(resolve_path("", "x") == "/x");
}
