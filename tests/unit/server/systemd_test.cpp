// sd_notify without libsystemd (SPEC §4): READY=1 once the socket listens, STOPPING=1 on stop.
#include <stdlib.h>

#include <boost/asio/local/datagram_protocol.hpp>
#include <doctest/doctest.h>

#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

namespace {

// Sets an environment variable for one test and restores the old state after it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string receive(boost::asio::local::datagram_protocol::socket& socket) {
  std::string data(4096, '\0');
  pollfd p{socket.native_handle(), POLLIN, 0};
  if (::poll(&p, 1, 5000) != 1) return {};
  data.resize(socket.receive(boost::asio::buffer(data)));
  return data;
}

}  // namespace

TEST_CASE("the daemon tells NOTIFY_SOCKET READY=1 once it listens and STOPPING=1 when it stops") {
  test::TempDir dir;
  boost::asio::io_context io;
  std::string path = dir.file("notify.sock");
  boost::asio::local::datagram_protocol::socket systemd(io, boost::asio::local::datagram_protocol::endpoint(path));
  ScopedEnv env("NOTIFY_SOCKET", path);
  {
    TestDaemon daemon;
    auto ready = receive(systemd);
    CHECK(ready.rfind("READY=1\nSTATUS=", 0) == 0);
    Client client(daemon.socket_path());
    CHECK(result_of(client.call(1, "ping"))["pong"] == true);
    daemon.stop();
  }
  CHECK(receive(systemd).rfind("STOPPING=1", 0) == 0);
}
