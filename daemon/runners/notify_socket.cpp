#include "daemon/runners/notify_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>

#include "daemon/os/unique_fd.hpp"

namespace traio {

namespace {

// Each line of the message in turn, without its newline.
template <class F>
void for_each_line(std::string_view message, F&& f) {
  while (!message.empty()) {
    const std::size_t end = message.find('\n');
    f(message.substr(0, end));
    if (end == std::string_view::npos) break;
    message.remove_prefix(end + 1);
  }
}

// The cgroup v2 path of `pid` relative to the hierarchy's root ("/a/b"), "" when it is gone.
std::string cgroup_of(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(file, line))
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return {};
}

bool ends_with(std::string_view text, std::string_view tail) {
  return text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail;
}

}  // namespace

bool sender_belongs_to_job(NotifySocket::Sender sender, pid_t main_pid, const std::string& cgroup_path, uid_t job_uid) {
  if (sender.pid == main_pid) return true;
  if (!cgroup_path.empty()) {
    const std::string cgroup = cgroup_of(sender.pid);
    if (cgroup.size() > 1 && ends_with(cgroup_path, cgroup)) return true;
  }
  // Without a cgroup, or a descendant that has exited but is not reaped yet: its group.
  const pid_t group = ::getpgid(sender.pid);
  if (group >= 0) return group == main_pid;
  return errno == ESRCH && sender.uid == job_uid;
}

bool notify_says_ready(std::string_view message) {
  bool ready = false;
  for_each_line(message, [&](std::string_view line) { ready = ready || line == "READY=1"; });
  return ready;
}

std::optional<std::string> notify_status(std::string_view message) {
  std::optional<std::string> status;
  for_each_line(message, [&](std::string_view line) {
    if (line.substr(0, 7) == "STATUS=") status = std::string(line.substr(7));
  });
  return status;
}

os::Result<std::unique_ptr<NotifySocket>> NotifySocket::open(boost::asio::io_context& io, std::string path,
                                                             const std::optional<os::Credentials>& owner) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return os::errno_code(ENAMETOOLONG);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  os::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return os::last_errno();
  const int on = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) return os::last_errno();
  ::unlink(path.c_str());  // a socket file left by a daemon that crashed
  // 0600 from the start (umask), so that no other user can send in the window before chmod
  const mode_t old_mask = ::umask(0177);
  const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int bind_errno = errno;
  ::umask(old_mask);
  if (bound != 0) return os::errno_code(bind_errno);
  if (owner && ::chown(path.c_str(), owner->uid, owner->gid) != 0) {
    auto error = os::last_errno();
    ::unlink(path.c_str());
    return error;
  }
  return std::unique_ptr<NotifySocket>(new NotifySocket(io, fd.release(), std::move(path), owner ? owner->uid : ::geteuid()));
}

NotifySocket::NotifySocket(boost::asio::io_context& io, int fd, std::string path, uid_t owner_uid)
    : socket_(io, fd), path_(std::move(path)), owner_uid_(owner_uid) {}

NotifySocket::~NotifySocket() { ::unlink(path_.c_str()); }  // socket_ closes the fd

void NotifySocket::receive(OnMessage on_message) {
  on_message_ = std::move(on_message);
  wait();
}

void NotifySocket::wait() {
  socket_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                     [this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
                       if (alive.expired() || ec) return;
                       drain();
                     });
}

// Every datagram that is queued, then back to waiting; a datagram without credentials
// (none come on Linux with SO_PASSCRED set, but the kernel decides) is ignored.
void NotifySocket::drain() {
  std::weak_ptr<int> alive = alive_;
  for (;;) {
    std::array<char, kMaxNotifyMessage> buffer;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(ucred))> control;
    iovec iov{buffer.data(), buffer.size()};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const ssize_t received = ::recvmsg(socket_.native_handle(), &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (received < 0) {
      if (errno == EINTR) continue;
      break;  // EAGAIN: all read
    }
    std::optional<Sender> sender;
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred credentials{};
        std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
        sender = Sender{credentials.pid, credentials.uid};
      } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        // fds passed along (sd_notify FDSTORE=): not kept
        const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
          int passed = -1;
          std::memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof passed);
          ::close(passed);
        }
      }
    }
    if (!sender || !on_message_) continue;
    const bool more = on_message_(*sender, std::string_view(buffer.data(), static_cast<std::size_t>(received)));
    if (alive.expired()) return;  // the callback ended the job (and this socket with it)
    if (!more) {
      on_message_ = nullptr;
      return;
    }
  }
  wait();
}

}  // namespace traio
