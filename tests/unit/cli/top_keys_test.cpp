// `traioctl top`'s keys: bytes from a raw terminal decoded into key presses.
#include <doctest/doctest.h>

#include "cli/top_terminal.hpp"

using namespace traio::cli;

TEST_CASE("top keys: arrows, pages and plain bytes are decoded in order") {
  std::string bytes = "j\033[A\033[B\033[5~\033[6~q\r";
  const auto keys = decode_keys(bytes);
  REQUIRE(keys.size() == 7);
  CHECK((keys[0].key == Key::Char && keys[0].ch == 'j'));
  CHECK(keys[1].key == Key::Up);
  CHECK(keys[2].key == Key::Down);
  CHECK(keys[3].key == Key::PageUp);
  CHECK(keys[4].key == Key::PageDown);
  CHECK((keys[5].key == Key::Char && keys[5].ch == 'q'));
  CHECK(keys[6].key == Key::Enter);
  CHECK(bytes.empty());
}

TEST_CASE("top keys: Ctrl-C is Interrupt, a lone ESC is Escape") {
  std::string bytes = "\003";
  CHECK(decode_keys(bytes).front().key == Key::Interrupt);
  bytes = "\033";
  CHECK(decode_keys(bytes).front().key == Key::Escape);
}

TEST_CASE("top keys: an unfinished escape sequence waits for the rest") {
  std::string bytes = "k\033[5";
  auto keys = decode_keys(bytes);
  REQUIRE(keys.size() == 1);
  CHECK(bytes == "\033[5");
  bytes += "~";
  keys = decode_keys(bytes);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].key == Key::PageUp);
}
