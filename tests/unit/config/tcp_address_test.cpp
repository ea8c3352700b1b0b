#include "config/tcp_address.hpp"

#include <doctest/doctest.h>

using namespace traio;

namespace {

std::string error_of(const char* text) {
  auto parsed = parse_tcp_address(text);
  REQUIRE_FALSE(parsed);
  return parsed.error().message;
}

}  // namespace

TEST_CASE("tcp address: a host name, an IPv4 address or a bracketed IPv6 address, with a port") {
  auto name = parse_tcp_address("db.internal:5432");
  REQUIRE(name);
  CHECK(name->host == "db.internal");
  CHECK(name->port == 5432);
  auto v4 = parse_tcp_address("127.0.0.1:8080");
  REQUIRE(v4);
  CHECK(v4->host == "127.0.0.1");
  auto v6 = parse_tcp_address("[::1]:65535");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 65535);
  CHECK(parse_tcp_address("localhost:1"));
  CHECK(parse_tcp_address("my_service-2:80"));  // container service names
  CHECK(parse_tcp_address("[fe80::1%eth0]:22").ok() == false);  // scoped addresses are not inet_pton's
}

TEST_CASE("tcp address: errors say what is wrong") {
  CHECK(error_of("localhost") == "expected HOST:PORT, got 'localhost'");
  CHECK(error_of(":80") == "missing host before ':' in ':80'");
  CHECK(error_of("db:") == "missing port after ':' in 'db:'");
  CHECK(error_of("db:0") == "port 0 is out of range 1..65535 in 'db:0'");
  CHECK(error_of("db:65536") == "port 65536 is out of range 1..65535 in 'db:65536'");
  CHECK(error_of("db:99999999999999999999") == "port 99999999999999999999 is out of range 1..65535 in 'db:99999999999999999999'");
  CHECK(error_of("db:+80") == "port '+80' is not a number in 'db:+80'");
  CHECK(error_of("db:http") == "port 'http' is not a number in 'db:http'");
  CHECK(error_of("::1:80") == "an IPv6 address needs brackets, as in '[::1]:80', got '::1:80'");
  CHECK(error_of("[::1:80") == "'[' without a closing ']' in '[::1:80'");
  CHECK(error_of("[::1]80") == "expected ':PORT' after ']' in '[::1]80'");
  CHECK(error_of("[db]:80") == "'db' is not an IPv6 address");
  CHECK(error_of("10.0.0.256:80") == "'10.0.0.256' is not a valid IPv4 address");
  CHECK(error_of("1.2.3:80") == "'1.2.3' is not a valid IPv4 address");
  CHECK(error_of("a b:80") == "'a b' is not a valid host name");
  CHECK(error_of("-db:80") == "'-db' is not a valid host name");
  CHECK(error_of("db..x:80") == "'db..x' is not a valid host name");
  CHECK(error_of(std::string(64, 'a').append(".x:80").c_str()).find("is not a valid host name") != std::string::npos);
}
