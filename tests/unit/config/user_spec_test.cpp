#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using namespace traio::spec_test;
using nlohmann::json;

TEST_CASE("user and group: account names or decimal ids, kept as written") {
  JobSpec job = job_ok(R"({"argv": ["x"], "user": "www-data", "group": "adm"})");
  CHECK(job.user == "www-data");
  CHECK(job.group == "adm");
  CHECK(job_ok(R"({"argv": ["x"], "user": "1000", "group": "0"})").user == "1000");
  CHECK(job_ok(R"({"argv": ["x"], "user": "_svc"})").user == "_svc");
  CHECK(job_ok(R"({"argv": ["x"], "user": "host$"})").user == "host$");
  CHECK(job_ok(R"({"argv": ["x"], "user": "4294967294"})").user == "4294967294");
  CHECK(job_ok(R"({"argv": ["x"], "user": "abcdefghijklmnopqrstuvwxyz012345"})").user.size() == 32);
  JobSpec unset = job_ok(R"({"argv": ["x"]})");
  CHECK(unset.user.empty());
  CHECK(unset.group.empty());
}

TEST_CASE("user and group: bad names and ids are errors with their path") {
  const std::string user_expect =
      "user: expected a user name ([a-z_][a-z0-9_-]*, at most 32 characters) or a numeric id, got ";
  for (const char* bad : {R"("Root")", R"("1abc")", R"("-x")", R"("a b")", R"("")", R"("a$b")",
                          R"("abcdefghijklmnopqrstuvwxyz0123456")", R"("4294967295")", R"("99999999999")"}) {
    CAPTURE(bad);
    std::string doc = std::string(R"({"argv": ["x"], "user": )") + bad + "}";
    CHECK(has(errors_of(doc.c_str()), user_expect + bad));
  }
  CHECK(has(errors_of(R"({"argv": ["x"], "group": "Wheel"})"),
            "group: expected a group name ([a-z_][a-z0-9_-]*, at most 32 characters) or a numeric id, got \"Wheel\""));
  CHECK(has(errors_of(R"({"argv": ["x"], "user": 1000})"), "user: expected string, got number"));
  CHECK(has(errors_of(R"({"kind": "sleep", "duration": "1s", "user": "nobody"})"),
            "user: not valid for a sleep job (only for process jobs)"));
  CHECK(has(errors_of(R"({"group": "adm", "children": []})"), "group: not valid for a scope (a node with \"children\")"));
}
