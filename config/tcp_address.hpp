#pragma once
// "host:port" as `wait_tcp` jobs and `ready.wait_tcp` probes take it (SPEC §2): the host is a
// DNS name, an IPv4 address, or an IPv6 address in brackets ("[::1]:8080"); the port is
// 1..65535. Checked at submit time so that a typo is exit 2, not a wait that never ends.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace traio {

struct TcpAddress {
  std::string host;  // without the brackets of an IPv6 address
  std::uint16_t port = 0;
};

// Errors say what is wrong ("port 0 is out of range 1..65535 in 'db:0'").
Expected<TcpAddress> parse_tcp_address(std::string_view text);

}  // namespace traio
