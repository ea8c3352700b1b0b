#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using namespace traio::spec_test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("wait_tcp job: address required, interval defaults to 250ms and is at least 10ms") {
  JobSpec tcp = job_ok(R"({"kind": "wait_tcp", "address": "127.0.0.1:5432"})");
  CHECK(tcp.kind == JobKind::WaitTcp);
  CHECK(tcp.address == "127.0.0.1:5432");
  CHECK(tcp.interval == 250ms);
  CHECK(job_ok(R"({"kind": "wait_tcp", "address": "[::1]:80", "interval": "1s"})").interval == 1s);
  CHECK(job_ok(R"({"kind": "wait_tcp", "address": "db:80", "interval": 0.01})").interval == 10ms);
  CHECK(has(errors_of(R"({"kind": "wait_tcp"})"), "address: missing (a wait_tcp job needs the HOST:PORT to connect to)"));
  CHECK(has(errors_of(R"({"kind": "wait_tcp", "address": "db:80", "interval": "5ms"})"),
            "interval: must be at least 10ms, got \"5ms\" (5ms)"));
  CHECK(has(errors_of(R"({"kind": "wait_tcp", "address": "db"})"), "address: expected HOST:PORT, got 'db'"));
  CHECK(has(errors_of(R"({"kind": "wait_tcp", "address": "db:0"})"), "address: port 0 is out of range 1..65535 in 'db:0'"));
  CHECK(has(errors_of(R"({"kind": "wait_tcp", "address": 80})"), "address: expected string, got number"));
}

TEST_CASE("wait_file job: an absolute path is required") {
  JobSpec file = job_ok(R"({"kind": "wait_file", "path": "/run/app/ready"})");
  CHECK(file.kind == JobKind::WaitFile);
  CHECK(file.path == "/run/app/ready");
  CHECK(has(errors_of(R"({"kind": "wait_file"})"), "path: missing (a wait_file job needs the absolute path to wait for)"));
  CHECK(has(errors_of(R"({"kind": "wait_file", "path": "ready"})"), "path: must be an absolute path, got \"ready\""));
  CHECK(has(errors_of(json{{"kind", "wait_file"}, {"path", std::string("/a\0b", 4)}}), "path: contains a NUL byte"));
}

TEST_CASE("wait job fields are refused on other kinds, naming the kind they belong to") {
  auto process = errors_of(R"({"argv": ["x"], "address": "db:80", "interval": "1s", "path": "/x"})");
  CHECK(has(process, "address: not valid for a process job (only for wait_tcp jobs)"));
  CHECK(has(process, "interval: not valid for a process job (only for wait_tcp jobs)"));
  CHECK(has(process, "path: not valid for a process job (only for wait_file jobs)"));
  CHECK(process.size() == 3);
  CHECK(has(errors_of(R"({"kind": "wait_file", "path": "/x", "interval": "1s"})"),
            "interval: not valid for a wait_file job (only for wait_tcp jobs)"));
  CHECK(has(errors_of(R"({"kind": "wait_tcp", "address": "db:80", "path": "/x"})"),
            "path: not valid for a wait_tcp job (only for wait_file jobs)"));
  CHECK(has(errors_of(R"({"kind": "sleep", "duration": "1s", "address": "db:80"})"),
            "address: not valid for a sleep job (only for wait_tcp jobs)"));
}

TEST_CASE("process fields are refused on wait jobs") {
  auto errs = errors_of(R"({"kind": "wait_tcp", "address": "db:80", "argv": ["x"], "ready": {"exec": ["true"]},
                            "user": "www-data", "duration": "1s"})");
  CHECK(has(errs, "argv: not valid for a wait_tcp job (only for process jobs)"));
  CHECK(has(errs, "ready: not valid for a wait_tcp job (only for process jobs)"));
  CHECK(has(errs, "user: not valid for a wait_tcp job (only for process jobs)"));
  CHECK(has(errs, "duration: not valid for a wait_tcp job (only for sleep jobs)"));
  CHECK(errs.size() == 4);
  CHECK(has(errors_of(R"({"kind": "wait_file", "path": "/x", "cwd": "/", "group": "adm"})"),
            "cwd: not valid for a wait_file job (only for process jobs)"));
}
