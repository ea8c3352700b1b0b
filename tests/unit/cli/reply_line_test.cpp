// traioctl --json ps prints the daemon's result bytes as they are (reply_line.hpp): only an
// ok reply in exactly the daemon's shape is taken apart; anything else is parsed as before.
#include <doctest/doctest.h>

#include "cli/reply_line.hpp"
#include "common/protocol.hpp"

namespace traio::cli {

namespace {

using nlohmann::json;

std::string without_newline(std::string line) {
  line.pop_back();
  return line;
}

}  // namespace

TEST_CASE("reply line: an ok reply yields its id and the result's bytes, which are its dump") {
  const json result = {{"node", {{"name", "a \"b\" \\ caf\xc3\xa9"}, {"children", json::array()}, {"pid", 7}}}};
  for (std::int64_t id : {std::int64_t{1}, std::int64_t{0}, std::int64_t{-3}, INT64_MAX}) {
    const std::string line = without_newline(encode_ok(id, result));
    const auto split = split_ok_reply(line);
    REQUIRE(split);
    CHECK(split->id == id);
    CHECK(split->result == result.dump());
  }
}

TEST_CASE("reply line: errors, events and other shapes are left to the parser") {
  const std::vector<std::string> others = {
      without_newline(encode_error(1, Error{ErrorCode::NotFound, "no node /x"})),
      without_newline(encode_event(1, json{{"kind", "started"}})),
      without_newline(encode_ok(1, json::array({1, 2}))),  // not an object
      R"({"id":1,"ok":true,"result":{}} )",                 // trailing bytes
      R"({"id":01,"ok":true,"result":{}})",                 // not the daemon's id form
      R"({"id":1, "ok":true,"result":{}})",
      R"({"id":1,"ok":false,"result":{}})",
      R"({"id":x,"ok":true,"result":{}})",
      R"({"id":1,"ok":true,"result":})",
      R"({"id":1,"ok":true,"result":{})",
      "",
      "{",
  };
  for (const std::string& line : others) {
    CAPTURE(line);
    CHECK_FALSE(split_ok_reply(line));
  }
}

}  // namespace traio::cli
