#pragma once
// The URL of a `ready.http` probe (SPEC §6): "http://HOST[:PORT][/PATH]" on this machine.
// "Local" means a loopback address the probe can reach without leaving the host: an IPv4
// address in 127.0.0.0/8, "[::1]", or the name "localhost" (resolved by the probe to
// 127.0.0.1, then ::1, never through DNS). Anything else is refused at submit: a readiness
// probe that talks to other hosts would make a job's readiness depend on the network.
// https is refused too: the probe speaks plain HTTP/1.1 only.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace traio {

struct HttpUrl {
  std::string host;     // "127.0.0.1", "::1" (no brackets) or "localhost"
  std::uint16_t port = 80;
  std::string target;   // the request target: path and query, "/" when the URL has none
  // The Host header: the host as written in the URL, with its port when one was given.
  std::string host_header;
};

// Errors say what is wrong and what is accepted.
Expected<HttpUrl> parse_local_http_url(std::string_view text);

}  // namespace traio
