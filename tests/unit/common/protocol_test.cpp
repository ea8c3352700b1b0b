#include "common/protocol.hpp"

#include <doctest/doctest.h>

using namespace traio;
using nlohmann::json;

namespace {
Error request_error(const json& line, std::int64_t& id) {
  auto r = parse_request(line, id);
  REQUIRE_FALSE(r.ok());
  return r.error();
}
}  // namespace

TEST_CASE("protocol: a well-formed request parses, args default to {}") {
  std::int64_t id = -1;
  auto r = parse_request(json::parse(R"({"v":1,"id":7,"op":"spawn","args":{"scope":"/"}})"), id);
  REQUIRE(r.ok());
  CHECK(id == 7);
  CHECK(r->id == 7);
  CHECK(r->op == "spawn");
  CHECK(r->args == json{{"scope", "/"}});
  auto p = parse_request(json::parse(R"({"v":1,"id":8,"op":"ping"})"), id);
  REQUIRE(p.ok());
  CHECK(p->args == json::object());
}

TEST_CASE("protocol: a bad envelope is invalid_request, with the id when readable") {
  std::int64_t id = -1;
  CHECK(request_error(json::array(), id).code == ErrorCode::InvalidRequest);
  CHECK(id == 0);
  CHECK(request_error(json::parse(R"({"v":1,"op":"ping"})"), id).code == ErrorCode::InvalidRequest);
  CHECK(request_error(json::parse(R"({"v":1,"id":"7","op":"ping"})"), id).code == ErrorCode::InvalidRequest);
  CHECK(request_error(json::parse(R"({"v":1,"id":1.5,"op":"ping"})"), id).code == ErrorCode::InvalidRequest);

  Error e = request_error(json::parse(R"({"v":1,"id":9,"op":""})"), id);
  CHECK(e.code == ErrorCode::InvalidRequest);
  CHECK(id == 9);
  CHECK(request_error(json::parse(R"({"v":1,"id":9,"op":5})"), id).code == ErrorCode::InvalidRequest);
  CHECK(request_error(json::parse(R"({"v":1,"id":9})"), id).code == ErrorCode::InvalidRequest);
  CHECK(request_error(json::parse(R"({"v":1,"id":9,"op":"ping","args":[]})"), id).code ==
        ErrorCode::InvalidRequest);
  e = request_error(json::parse(R"({"v":1,"id":9,"op":"ping","extra":1})"), id);
  CHECK(e.code == ErrorCode::InvalidRequest);
  CHECK(e.message.find("'extra'") != std::string::npos);
  CHECK(request_error(json::parse(R"({"id":9,"op":"ping"})"), id).code == ErrorCode::InvalidRequest);
  CHECK(request_error(json::parse(R"({"v":"1","id":9,"op":"ping"})"), id).code == ErrorCode::InvalidRequest);
}

TEST_CASE("protocol: another version is unsupported_version") {
  std::int64_t id = 0;
  Error e = request_error(json::parse(R"({"v":2,"id":3,"op":"ping"})"), id);
  CHECK(e.code == ErrorCode::UnsupportedVersion);
  CHECK(id == 3);
  CHECK(request_error(json::parse(R"({"v":18446744073709551615,"id":3,"op":"ping"})"), id).code ==
        ErrorCode::UnsupportedVersion);
}

TEST_CASE("protocol: huge ids are refused, int64 ids are echoed") {
  std::int64_t id = 0;
  CHECK(request_error(json::parse(R"({"v":1,"id":18446744073709551615,"op":"ping"})"), id).code ==
        ErrorCode::InvalidRequest);
  auto r = parse_request(json::parse(R"({"v":1,"id":9223372036854775807,"op":"ping"})"), id);
  REQUIRE(r.ok());
  CHECK(r->id == INT64_MAX);
  CHECK(parse_request(json::parse(R"({"v":1,"id":-4,"op":"ping"})"), id)->id == -4);
}

TEST_CASE("protocol: encoders write one newline-terminated line that parses back") {
  Request req{.id = 5, .op = "ps", .args = {{"path", "/a\nb"}}};
  std::string line = encode_request(req);
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  std::int64_t id = 0;
  auto back = parse_request(json::parse(line), id);
  REQUIRE(back.ok());
  CHECK(back->op == "ps");
  CHECK(back->args["path"] == "/a\nb");

  CHECK(json::parse(encode_ok(5, {{"pong", true}})) == json::parse(R"({"id":5,"ok":true,"result":{"pong":true}})"));
  CHECK(json::parse(encode_error(6, Error{ErrorCode::NotFound, "no node /x"})) ==
        json::parse(R"({"id":6,"ok":false,"error":{"code":"not_found","message":"no node /x"}})"));
  CHECK(json::parse(encode_event(7, {{"kind", "started"}})) == json::parse(R"({"id":7,"event":{"kind":"started"}})"));
}

TEST_CASE("protocol: invalid UTF-8 in a message does not throw while encoding") {
  std::string line = encode_error(1, Error{ErrorCode::NotFound, "no node /\xff\xfe"});
  CHECK(line.back() == '\n');
  CHECK(json::parse(line)["ok"] == false);
}
