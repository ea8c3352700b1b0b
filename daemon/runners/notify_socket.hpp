#pragma once
// The socket of a `ready.notify` probe (SPEC §6): a datagram Unix socket per job that
// traiod names in the job's NOTIFY_SOCKET, as systemd does, so that sd_notify(3),
// systemd-notify and a few lines of any language can say READY=1. It is bound before the
// job starts, owned by the job's user with mode 0600 (only that user, and root, can send to
// it; the socket directory is 0755), and unlinked when the job ends. Datagrams carry their
// sender's credentials (SO_PASSCRED), so the receiver can accept only the job's processes.
// Datagrams sent before receive() is called wait in the socket's buffer.
#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "daemon/os/credentials.hpp"
#include "daemon/os/sys_error.hpp"

namespace traio {

class NotifySocket {
 public:
  // `message`: the datagram's text (at most kMaxNotifyMessage bytes); return false to stop
  // receiving.
  struct Sender {
    pid_t pid = 0;
    uid_t uid = 0;
  };
  using OnMessage = std::function<bool(Sender sender, std::string_view message)>;

  static constexpr std::size_t kMaxNotifyMessage = 4096;

  // Binds at `path`, replacing what a previous run of the daemon left there.
  static os::Result<std::unique_ptr<NotifySocket>> open(boost::asio::io_context& io, std::string path,
                                                        const std::optional<os::Credentials>& owner);
  ~NotifySocket();  // closes and unlinks the socket
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }
  uid_t owner_uid() const { return owner_uid_; }  // the job's user
  // Calls `on_message` on the loop for each datagram, until it returns false.
  void receive(OnMessage on_message);

 private:
  NotifySocket(boost::asio::io_context& io, int fd, std::string path, uid_t owner_uid);
  void wait();
  void drain();

  boost::asio::posix::stream_descriptor socket_;
  std::string path_;
  uid_t owner_uid_;
  OnMessage on_message_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// Whether the sender of a datagram is a process of the job whose main process is `main_pid`
// and whose cgroup is `cgroup_path` ("" without one): in that cgroup, or in the job's
// process group. A sender that is gone by the time its datagram is read (systemd-notify
// exits at once) cannot be placed: it passes when its uid is `job_uid`, which the socket's
// mode lets send anyway.
bool sender_belongs_to_job(NotifySocket::Sender sender, pid_t main_pid, const std::string& cgroup_path, uid_t job_uid);

// Whether `message` (newline-separated KEY=VALUE, sd_notify's format) holds READY=1.
bool notify_says_ready(std::string_view message);
// The value of its last STATUS= line, if any.
std::optional<std::string> notify_status(std::string_view message);

}  // namespace traio
