#include "common/signal_name.hpp"

#include <csignal>

#include <doctest/doctest.h>

using namespace traio;

TEST_CASE("signal: every spelling of TERM is 15, written back as TERM") {
  for (const char* s : {"TERM", "SIGTERM", "term", "sigterm", "SigTerm", "15"}) {
    CAPTURE(s);
    auto r = parse_signal(s);
    REQUIRE(r.ok());
    CHECK(*r == SIGTERM);
  }
  CHECK(signal_name(15) == "TERM");
  CHECK(*parse_signal("KILL") == SIGKILL);
  CHECK(*parse_signal("SIGINT") == SIGINT);
  CHECK(*parse_signal("hup") == SIGHUP);
  CHECK(*parse_signal("IOT") == SIGABRT);
}

TEST_CASE("signal: all standard signals 1-31 have a name that parses back") {
  for (int n = 1; n <= 31; ++n) {
    CAPTURE(n);
    std::string name = signal_name(n);
    CHECK(name != std::to_string(n));
    CHECK(*parse_signal(name) == n);
    CHECK(*parse_signal("SIG" + name) == n);
  }
}

TEST_CASE("signal: unknown names and numbers are rejected") {
  for (const char* s : {"", "SIG", "FOO", "SIGFOO", "0", "32", "65", "15x", "-15", "99999999999999999999"}) {
    CAPTURE(s);
    CHECK_FALSE(parse_signal(s).ok());
  }
  CHECK(parse_signal("FOO").error().message.find("'FOO'") != std::string::npos);
  CHECK_FALSE(signal_from_number(0).ok());
  CHECK_FALSE(signal_from_number(-9).ok());
  CHECK(*signal_from_number(9) == 9);
  CHECK(*signal_from_number(SIGRTMIN) == SIGRTMIN);
  CHECK(signal_name(SIGRTMIN + 1) == std::to_string(SIGRTMIN + 1));
}
