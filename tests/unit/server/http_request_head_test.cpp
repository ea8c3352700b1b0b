// The metrics endpoint's HTTP (SPEC §6 "Watching"): request heads judged without sockets,
// garbage included.
#include "daemon/server/http_request_head.hpp"

#include <random>

#include <doctest/doctest.h>

using namespace traio;

TEST_CASE("http head: GET /metrics is 200, HEAD is 200 without body, a query string is ignored") {
  CHECK(judge_request_head("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").status == 200);
  CHECK(judge_request_head("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").with_body);
  CHECK(judge_request_head("GET /metrics?name[]=x HTTP/1.0\r\n\r\n").status == 200);
  CHECK(judge_request_head("GET /metrics HTTP/1.1\n\n").status == 200);
  auto head = judge_request_head("HEAD /metrics HTTP/1.1\r\n\r\n");
  CHECK(head.status == 200);
  CHECK_FALSE(head.with_body);
}

TEST_CASE("http head: another path is 404, another method 405, a broken request line 400, HTTP/2 505") {
  CHECK(judge_request_head("GET / HTTP/1.1\r\n\r\n").status == 404);
  CHECK(judge_request_head("GET /metrics/ HTTP/1.1\r\n\r\n").status == 404);
  CHECK(judge_request_head("POST /metrics HTTP/1.1\r\n\r\n").status == 405);
  CHECK(judge_request_head("DELETE /metrics HTTP/1.1\r\n\r\n").status == 405);
  CHECK(judge_request_head("GET /metrics\r\n\r\n").status == 400);
  CHECK(judge_request_head("GET  /metrics HTTP/1.1\r\n\r\n").status == 400);
  CHECK(judge_request_head("GET /metrics HTTP/1.1 extra\r\n\r\n").status == 400);
  CHECK(judge_request_head("GET http://x/metrics HTTP/1.1\r\n\r\n").status == 400);
  CHECK(judge_request_head("G(T /metrics HTTP/1.1\r\n\r\n").status == 400);
  CHECK(judge_request_head("GET /met\x01rics HTTP/1.1\r\n\r\n").status == 400);
  CHECK(judge_request_head("GET /metrics FTP/1.1\r\n\r\n").status == 400);
  CHECK(judge_request_head("GET /metrics HTTP/2.0\r\n\r\n").status == 505);
  CHECK(judge_request_head("").status == 400);
}

TEST_CASE("http head: the head ends at the first blank line, CRLF or bare LF") {
  CHECK(find_head_end("GET / HTTP/1.1\r\nA: b\r\n\r\nbody") == std::string_view("GET / HTTP/1.1\r\nA: b\r\n\r\n").size());
  CHECK(find_head_end("GET / HTTP/1.1\n\n") == std::string_view("GET / HTTP/1.1\n\n").size());
  CHECK_FALSE(find_head_end("GET / HTTP/1.1\r\nA: b\r\n").has_value());
  CHECK_FALSE(find_head_end("").has_value());
}

TEST_CASE("http head: a response says its length and closes -- 405 names the methods allowed") {
  CHECK(http_response({200, true}, "text/plain", "abc") ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
  CHECK(http_response({200, false}, "text/plain", "abc") ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\n");
  CHECK(http_response({405}, "text/plain", "").find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
  CHECK(http_response({431}, "text/plain", "").rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0) == 0);
}

TEST_CASE("http head: random garbage never crashes and is never answered 200") {
  std::mt19937 random(20261126);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(0, 300);
  const std::string seeds[] = {"GET /metrics HTTP/1.1\r\n\r\n", "HEAD /metrics HTTP/1.0\n\n", ""};
  for (int round = 0; round < 20000; ++round) {
    std::string head = seeds[round % 3];
    // Mutate a valid head in a few places, or make one of random bytes.
    if (head.empty()) {
      head.resize(length(random));
      for (char& c : head) c = static_cast<char>(byte(random));
    } else {
      for (int k = 0; k < 3; ++k) head[random() % head.size()] = static_cast<char>(byte(random));
    }
    auto end = find_head_end(head);
    if (end) CHECK(*end <= head.size());
    auto answer = judge_request_head(end ? std::string_view(head).substr(0, *end) : std::string_view(head));
    if (answer.status == 200) {
      // Only a mutation that left the request line meaning GET or HEAD /metrics HTTP/1.x.
      const std::string_view line = std::string_view(head).substr(0, head.find_first_of("\r\n"));
      const bool get_or_head = line.rfind("GET /metrics", 0) == 0 || line.rfind("HEAD /metrics", 0) == 0;
      CHECK_MESSAGE(get_or_head, line);
    }
    CHECK(!reason_phrase(answer.status).empty());
  }
}
