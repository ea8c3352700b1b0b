// Issue 10: the `ready` kinds http, log and notify (SPEC §6), as config reads and writes them.
#include <doctest/doctest.h>

#include "config/http_url.hpp"
#include "config/line_pattern.hpp"
#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using namespace traio::spec_test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

json round_trip(const JobSpec& job) {
  json normal = to_json(job);
  auto again = parse_node_spec(normal, SpecKind::Job);
  if (auto* errors = std::get_if<ParseErrors>(&again)) FAIL(format_parse_errors(*errors));
  CHECK(to_json(std::get<JobSpec>(std::get<NodeSpec>(again).node)) == normal);
  return normal;
}

}  // namespace

TEST_CASE("ready: an http probe keeps its URL, timeout and interval, and round-trips") {
  JobSpec job = job_ok(R"({"argv": ["x"], "ready": {"http": "http://127.0.0.1:8080/health", "timeout": "30s", "interval": "1s"}})");
  CHECK(job.ready.probe == ReadySpec::Probe::Http);
  CHECK(job.ready.url == "http://127.0.0.1:8080/health");
  CHECK(job.ready.timeout == 30s);
  CHECK(job.ready.interval == 1s);
  json normal = round_trip(job);
  CHECK(normal["ready"]["http"] == "http://127.0.0.1:8080/health");
}

TEST_CASE("http URL: loopback hosts, localhost and [::1] are local -- port defaults to 80, path to /") {
  auto v4 = parse_local_http_url("http://127.0.0.1:8080/health?full=1");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8080);
  CHECK(v4->target == "/health?full=1");
  CHECK(v4->host_header == "127.0.0.1:8080");
  auto other_loopback = parse_local_http_url("http://127.1.2.3");
  REQUIRE(other_loopback.ok());
  CHECK(other_loopback->port == 80);
  CHECK(other_loopback->target == "/");
  auto v6 = parse_local_http_url("http://[::1]:9000");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->host_header == "[::1]:9000");
  auto name = parse_local_http_url("HTTP://LocalHost:81/x#frag");
  REQUIRE(name.ok());
  CHECK(name->host == "localhost");
  CHECK(name->target == "/x");
}

TEST_CASE("http URL: https, other hosts and malformed URLs are refused with the reason") {
  auto message = [](std::string_view url) {
    auto parsed = parse_local_http_url(url);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error().message;
  };
  CHECK(message("https://127.0.0.1/").find("https is not supported") != std::string::npos);
  CHECK(message("http://10.0.0.1:80/").find("the host must be local") != std::string::npos);
  CHECK(message("http://example.com/").find("the host must be local") != std::string::npos);
  CHECK(message("http://[fe80::1]/").find("the host must be local") != std::string::npos);
  CHECK(message("127.0.0.1:8080").find("is not an http:// URL") != std::string::npos);
  CHECK(message("http://127.0.0.1:0/").find("out of range") != std::string::npos);
  CHECK(message("http://127.0.0.1:/").find("missing port") != std::string::npos);
  CHECK(message("http://127.0.0.1/a b").find("space or a control character") != std::string::npos);
  CHECK(message("http://u@127.0.0.1/").find("user information") != std::string::npos);
  CHECK(message("http:///x").find("has no host") != std::string::npos);
}

TEST_CASE("ready: a bad http URL is an error at ready.http") {
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"http": "https://127.0.0.1/"}})"),
            "ready.http: 'https://127.0.0.1/': https is not supported (the probe speaks plain HTTP); use http://"));
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"http": "http://192.168.1.1/"}})"),
            "ready.http: 'http://192.168.1.1/': the host must be local (127.0.0.0/8, [::1] or localhost), got "
            "'192.168.1.1'"));
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"http": 8080}})"), "ready.http: expected string, got number"));
}

TEST_CASE("ready: a log probe keeps its pattern and round-trips") {
  JobSpec job = job_ok(R"({"argv": ["x"], "ready": {"log": "listening on [0-9]+", "timeout": "10s"}})");
  CHECK(job.ready.probe == ReadySpec::Probe::Log);
  CHECK(job.ready.pattern == "listening on [0-9]+");
  CHECK(round_trip(job)["ready"]["log"] == "listening on [0-9]+");
  CHECK(job_ok(R"({"argv": ["x"], "output": "inherit", "ready": {"log": "up"}})").ready.probe == ReadySpec::Probe::Log);
}

TEST_CASE("ready: a log pattern that does not compile is an error at ready.log") {
  auto errs = errors_of(R"({"argv": ["x"], "ready": {"log": "listening ("}})");
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].rfind("ready.log: not a valid extended regular expression: ", 0) == 0);
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"log": ""}})"), "ready.log: an empty pattern matches every line"));
}

TEST_CASE("ready: a log probe needs output that passes through traiod -- null and file are refused") {
  const std::string why =
      "ready.log: needs the job's output to pass through traiod: \"output\" must be \"capture\" or \"inherit\"";
  CHECK(has(errors_of(R"({"argv": ["x"], "output": "null", "ready": {"log": "up"}})"), why));
  CHECK(has(errors_of(R"({"argv": ["x"], "output": {"file": "/tmp/x.log"}, "ready": {"log": "up"}})"), why));
  CHECK(has(errors_of(R"({"children": [{"name": "a", "argv": ["x"], "output": "null", "ready": {"log": "up"}}]})"),
            "children[0]." + why));
}

TEST_CASE("line pattern: extended syntax, searched anywhere in the line") {
  auto pattern = LinePattern::compile("listening on :[0-9]+$");
  REQUIRE(pattern.ok());
  CHECK(pattern->matches("2026 INFO listening on :8080"));
  CHECK_FALSE(pattern->matches("listening on :http"));
  CHECK_FALSE(pattern->matches("listening on :8080 (not yet)"));
  // a long line is matched without trouble (std::regex would recurse per character)
  CHECK(LinePattern::compile("a.*b")->matches(std::string(100000, 'a') + "b"));
}

TEST_CASE("ready: a notify probe is {\"notify\": true} and round-trips -- false is an error") {
  JobSpec job = job_ok(R"({"argv": ["x"], "ready": {"notify": true, "timeout": "5s"}})");
  CHECK(job.ready.probe == ReadySpec::Probe::Notify);
  json normal = round_trip(job);
  CHECK(normal["ready"]["notify"] == true);
  CHECK(normal["ready"]["timeout"] == "5s");
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"notify": false}})"),
            "ready.notify: must be true (leave out \"ready\" for a job without a probe)"));
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"notify": true, "log": "x"}})"),
            "ready: has 2 probes (\"log\", \"notify\"); give exactly one"));
}
