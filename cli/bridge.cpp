#include "cli/bridge.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace traio::cli {

namespace {

constexpr std::size_t kBufferSize = 64 * 1024;

// One direction: bytes read from one fd wait here until written to the other.
struct Pipe {
  std::array<char, kBufferSize> data;
  std::size_t begin = 0;
  std::size_t end = 0;
  bool source_open = true;

  bool empty() const { return begin == end; }
  void drop(std::size_t n) {
    begin += n;
    if (begin == end) begin = end = 0;
  }
};

bool transient(int err) { return err == EINTR || err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

BridgeEnd run_bridge(int in, int out, int socket) {
  // SIG_IGN rather than a blocked mask: nothing here wants the signal, and ignoring it
  // is inherited by nothing (the bridge starts no process).
  ::signal(SIGPIPE, SIG_IGN);
  ::fcntl(socket, F_SETFL, ::fcntl(socket, F_GETFL) | O_NONBLOCK);
  Pipe up;    // in -> socket
  Pipe down;  // socket -> out
  bool shut_up = false;  // the socket's sending side is shut down (stdin ended)
  for (;;) {
    if (!up.source_open && up.empty() && !shut_up) {
      ::shutdown(socket, SHUT_WR);
      shut_up = true;
    }
    if (!down.source_open && down.empty()) return {};
    std::array<pollfd, 3> fds{};
    fds[0] = {in, static_cast<short>(up.source_open && up.empty() ? POLLIN : 0), 0};
    short sock_events = 0;
    if (!up.empty()) sock_events |= POLLOUT;
    if (down.source_open && down.empty()) sock_events |= POLLIN;
    fds[1] = {socket, sock_events, 0};
    // Watched even when idle: POLLERR says our reader (ssh) is gone, so a quiet `logs -f`
    // does not keep the bridge and its daemon connection alive for nobody.
    fds[2] = {out, static_cast<short>(down.empty() ? 0 : POLLOUT), 0};
    // An fd with nothing asked of it is left out: its POLLHUP would wake the loop for nothing.
    if (fds[0].events == 0) fds[0].fd = -1;
    if (fds[1].events == 0) fds[1].fd = -1;
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return {false, std::string("poll: ") + std::strerror(errno)};
    }
    // A pipe whose reader closed says POLLERR; a hung-up terminal or a socket closed both
    // ways, POLLHUP. Either way nobody reads replies any more.
    if (fds[2].revents & (POLLERR | POLLHUP | POLLNVAL)) return {};
    if (fds[2].revents & POLLOUT) {
      const ssize_t n = ::write(out, down.data.data() + down.begin, down.end - down.begin);
      if (n < 0 && !transient(errno)) return {};  // EPIPE: the reader went away
      if (n > 0) down.drop(static_cast<std::size_t>(n));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      const ssize_t n = ::read(in, up.data.data(), up.data.size());
      if (n > 0) {
        up.begin = 0;
        up.end = static_cast<std::size_t>(n);
      } else if (n == 0 || !transient(errno)) {
        up.source_open = false;
      }
    }
    if (fds[1].revents & (POLLOUT | POLLERR | POLLHUP) && !up.empty()) {
      const ssize_t n = ::send(socket, up.data.data() + up.begin, up.end - up.begin, MSG_NOSIGNAL);
      if (n < 0 && !transient(errno)) {
        // The daemon closed: what it sent before (an id 0 error, say) is still read below.
        up.begin = up.end = 0;
        up.source_open = false;
      } else if (n > 0) {
        up.drop(static_cast<std::size_t>(n));
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR) && down.source_open && down.empty()) {
      const ssize_t n = ::read(socket, down.data.data(), down.data.size());
      if (n > 0) {
        down.begin = 0;
        down.end = static_cast<std::size_t>(n);
      } else if (n == 0) {
        down.source_open = false;
      } else if (!transient(errno)) {
        if (errno == ECONNRESET) {
          down.source_open = false;
        } else {
          return {false, std::string("reading traiod's socket: ") + std::strerror(errno)};
        }
      }
    }
  }
}

}  // namespace traio::cli
