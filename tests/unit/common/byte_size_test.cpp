#include "common/byte_size.hpp"

#include <doctest/doctest.h>

using namespace traio;

TEST_CASE("byte size: binary and decimal units") {
  CHECK(*parse_byte_size("10MiB") == 10ull << 20);
  CHECK(*parse_byte_size("512KiB") == 512ull << 10);
  CHECK(*parse_byte_size("1GiB") == 1ull << 30);
  CHECK(*parse_byte_size("100kB") == 100'000);
  CHECK(*parse_byte_size("2MB") == 2'000'000);
  CHECK(*parse_byte_size("100") == 100);
  CHECK(*parse_byte_size("100B") == 100);
  CHECK(*parse_byte_size("1.5KiB") == 1536);
  CHECK(*parse_byte_size("10 MiB") == 10ull << 20);
}

TEST_CASE("byte size: rejections name the input") {
  for (const char* bad : {"", "-1", "MiB", "10XB", "10mib", "1.KiB", "10MiB!", "ten"}) {
    CAPTURE(bad);
    auto r = parse_byte_size(bad);
    REQUIRE_FALSE(r.ok());
    if (*bad) CHECK(r.error().message.find(std::string("'") + bad + "'") != std::string::npos);
  }
  CHECK(parse_byte_size("99999999999TiB").error().message.find("too large") != std::string::npos);
  CHECK_FALSE(parse_byte_size(std::string(400, '9')).ok());
}

TEST_CASE("byte size: format picks an exact unit and parses back") {
  CHECK(format_byte_size(0) == "0B");
  CHECK(format_byte_size(100) == "100B");
  CHECK(format_byte_size(10ull << 20) == "10MiB");
  CHECK(format_byte_size(1536) == "1536B");
  CHECK(format_byte_size(3ull << 40) == "3TiB");
  for (std::uint64_t n : {0ull, 1ull, 1024ull, 1025ull, 10ull << 20, 5ull << 30, 123456789ull})
    CHECK(*parse_byte_size(format_byte_size(n)) == n);
}
