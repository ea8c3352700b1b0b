// Issue 10: the ready probes http, log and notify (SPEC §6) in ReadyProbes, on a real
// io_context with a real HTTP server on the loopback and real datagrams.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "daemon/runners/http_probes.hpp"
#include "daemon/runners/notify_socket.hpp"
#include "daemon/runners/ready_probes.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;
using test::Reported;

namespace {

// Answers each request on the loop with the next status line of `answers` (the last one
// again once they run out), and remembers the request lines it got.
class TinyHttpServer {
 public:
  TinyHttpServer(asio::io_context& io, std::vector<std::string> answers)
      : io_(io), acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), answers_(std::move(answers)) {
    accept();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> requests;

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    asio::streambuf in;
    std::string out;
  };

  void accept() {
    auto connection = std::make_shared<Connection>(io_);
    acceptor_.async_accept(connection->socket, [this, connection](boost::system::error_code ec) {
      if (ec) return;
      asio::async_read_until(connection->socket, connection->in, "\r\n\r\n",
                             [this, connection](boost::system::error_code error, std::size_t) {
                               if (error) return;
                               std::istream text(&connection->in);
                               std::string line;
                               std::getline(text, line);
                               requests.push_back(line);
                               const std::size_t at = std::min(served_++, answers_.size() - 1);
                               connection->out = answers_[at] + "\r\nContent-Length: 0\r\n\r\n";
                               asio::async_write(connection->socket, asio::buffer(connection->out),
                                                 [connection](boost::system::error_code, std::size_t) {});
                             });
      accept();
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::vector<std::string> answers_;
  std::size_t served_ = 0;
};

ReadySpec http_probe(const std::string& url, std::optional<Duration> timeout = std::nullopt) {
  ReadySpec ready;
  ready.probe = ReadySpec::Probe::Http;
  ready.url = url;
  ready.interval = 20ms;
  ready.timeout = timeout;
  return ready;
}

ReadySpec log_probe(const std::string& pattern, std::optional<Duration> timeout = std::nullopt) {
  ReadySpec ready;
  ready.probe = ReadySpec::Probe::Log;
  ready.pattern = pattern;
  ready.timeout = timeout;
  return ready;
}

ReadySpec notify_probe(std::optional<Duration> timeout = std::nullopt) {
  ReadySpec ready;
  ready.probe = ReadySpec::Probe::Notify;
  ready.timeout = timeout;
  return ready;
}

struct Fixture {
  asio::io_context io;
  test::RecordingReports reports;
  test::TempDir dir;
  ReadyProbes probes{io, reports};

  bool wait_ready(NodeId id, std::chrono::milliseconds limit = 5s) {
    return test::run_until(io, [&] { return reports.find(Reported::Kind::Ready, id) != nullptr; }, limit);
  }
  const Reported* wait_failed(NodeId id, std::chrono::milliseconds limit = 5s) {
    test::run_until(io, [&] { return reports.find(Reported::Kind::ReadyFailed, id) != nullptr; }, limit);
    return reports.find(Reported::Kind::ReadyFailed, id);
  }
  void run_for(std::chrono::milliseconds span) { test::run_until(io, [] { return false; }, span); }
};

void send_datagram(const std::string& path, const std::string& message) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  const auto sent =
      ::sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::close(fd);
  REQUIRE(sent == static_cast<ssize_t>(message.size()));
}

}  // namespace

TEST_CASE("http status line: the code of HTTP/1.x lines, 0 for anything else") {
  CHECK(http_status_code("HTTP/1.1 200 OK") == 200);
  CHECK(http_status_code("HTTP/1.0 503 Service Unavailable") == 503);
  CHECK(http_status_code("HTTP/1.1 204") == 204);
  CHECK(http_status_code("HTTP/2 200 OK") == 0);
  CHECK(http_status_code("HTTP/1.1 2x0 OK") == 0);
  CHECK(http_status_code("HTTP/1.1 2000 OK") == 0);
  CHECK(http_status_code("SSH-2.0-OpenSSH_9.2") == 0);
  CHECK(http_status_code("") == 0);
}

TEST_CASE("ready http: 503 answers are retried until a 2xx makes the job ready") {
  Fixture f;
  TinyHttpServer server(f.io, {"HTTP/1.1 503 Service Unavailable", "HTTP/1.1 503 Service Unavailable", "HTTP/1.1 204 No Content"});
  f.probes.start(1, http_probe(fmt::format("http://127.0.0.1:{}/health?x=1", server.port()), 10s), {});
  REQUIRE(f.wait_ready(1));
  REQUIRE(server.requests.size() == 3);
  CHECK(server.requests[0] == "GET /health?x=1 HTTP/1.1\r");
  CHECK(f.probes.running() == 0);
}

TEST_CASE("ready http: the timeout fails the probe with the last status line") {
  Fixture f;
  TinyHttpServer server(f.io, {"HTTP/1.1 500 Internal Server Error"});
  const std::string url = fmt::format("http://127.0.0.1:{}/", server.port());
  f.probes.start(1, http_probe(url, 300ms), {});
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(failed->why == fmt::format("http not ready after 300ms: GET {}: HTTP/1.1 500 Internal Server Error", url));
  CHECK(f.reports.find(Reported::Kind::Ready, 1) == nullptr);
}

TEST_CASE("ready http: localhost is tried on the loopback -- a refused connect is the last error") {
  Fixture f;
  unsigned short port = 0;
  {
    tcp::acceptor closed(f.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = closed.local_endpoint().port();
  }
  const std::string url = fmt::format("http://localhost:{}/", port);
  f.probes.start(1, http_probe(url, 300ms), {});
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(failed->why.find("http not ready after 300ms: GET " + url + ": connect: ") == 0);
}

TEST_CASE("ready http: an answer that is no HTTP is a failed attempt, not a pass") {
  Fixture f;
  TinyHttpServer server(f.io, {"SSH-2.0-OpenSSH_9.2"});
  f.probes.start(1, http_probe(fmt::format("http://127.0.0.1:{}/", server.port()), 300ms), {});
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(failed->why.find("not an HTTP status line: 'SSH-2.0-OpenSSH_9.2'") != std::string::npos);
}

TEST_CASE("ready log: lines are offered until one matches -- the pass is reported from the loop") {
  Fixture f;
  f.probes.start(1, log_probe("listening on :[0-9]+"), {});
  CHECK(f.probes.offer(1, "starting"));
  CHECK(f.probes.offer(1, "listening on :http"));
  CHECK_FALSE(f.probes.offer(1, "INFO listening on :8080"));
  CHECK(f.reports.log.empty());  // not from inside offer()
  REQUIRE(f.wait_ready(1));
  CHECK_FALSE(f.probes.offer(1, "listening on :8080"));  // no probe any more
}

TEST_CASE("ready log: the timeout names the pattern and how many lines were read") {
  Fixture f;
  f.probes.start(1, log_probe("^ready$", 200ms), {});
  CHECK(f.probes.offer(1, "not ready"));
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(failed->why == "log not ready after 200ms: no line of its output matched '^ready$' (1 lines read)");
}

TEST_CASE("ready notify: READY=1 among the datagram's lines passes -- STATUS= shows in the timeout") {
  Fixture f;
  f.probes.start(1, notify_probe(), {});
  CHECK(f.probes.offer(1, "STATUS=loading\nREADY=0"));
  CHECK_FALSE(f.probes.offer(1, "STATUS=up\nREADY=1\n"));
  REQUIRE(f.wait_ready(1));
  f.probes.start(2, notify_probe(200ms), {});
  CHECK(f.probes.offer(2, "STATUS=warming up"));
  const auto* failed = f.wait_failed(2);
  REQUIRE(failed != nullptr);
  CHECK(failed->why == "notify not ready after 200ms: no READY=1 came to its NOTIFY_SOCKET (last STATUS=warming up)");
  CHECK(notify_says_ready("READY=1"));
  CHECK_FALSE(notify_says_ready("XREADY=1\nREADY=11"));
}

TEST_CASE("notify socket: datagrams sent before receive() come with their sender -- the file is 0600 and unlinked") {
  asio::io_context io;
  test::TempDir dir;
  const std::string path = dir.file("notify.sock");
  auto opened = NotifySocket::open(io, path, std::nullopt);
  REQUIRE(opened);
  std::unique_ptr<NotifySocket> socket = std::move(*opened);
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  send_datagram(path, "STATUS=one");
  send_datagram(path, "READY=1");
  std::vector<std::string> got;
  std::vector<pid_t> senders;
  socket->receive([&](NotifySocket::Sender sender, std::string_view message) {
    got.emplace_back(message);
    senders.push_back(sender.pid);
    return message != "READY=1";
  });
  test::run_until(io, [&] { return got.size() == 2; }, 5s);
  CHECK(got == std::vector<std::string>{"STATUS=one", "READY=1"});
  CHECK(senders == std::vector<pid_t>{::getpid(), ::getpid()});
  // Ours: the main process. Another process of the same user, alive, outside the job: no.
  CHECK(sender_belongs_to_job({::getpid(), ::getuid()}, ::getpid(), "", ::getuid()));
  CHECK_FALSE(sender_belongs_to_job({::getpid(), ::getuid()}, 1, "", ::getuid()));
  socket.reset();
  CHECK_FALSE(std::filesystem::exists(path));
}
