#pragma once
// The remote transport (`--host`): an ssh child whose stdin and stdout are pipes to us and
// whose remote end is `traioctl bridge`. The child is always reaped: finish(), the
// destructor, or at exit() closes the pipes (the remote bridge sees its stdin end and exits,
// and ssh with it) and waits, then ends ssh with SIGTERM (after 1 s) and SIGKILL (5 s).
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "cli/transport.hpp"
#include "common/expected.hpp"

namespace traio::cli {

class SshTransport final : public Transport {
 public:
  // Error message says why ssh could not be started (not found, ...).
  static Expected<std::unique_ptr<SshTransport>> start(boost::asio::io_context& io,
                                                       const std::vector<std::string>& argv);
  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  void async_read_some(boost::asio::mutable_buffer into, ReadHandler done) override;
  boost::system::error_code write_all(boost::asio::const_buffer data) override;

  // Ends the session and reaps ssh: its wait status (as waitpid gives it), -1 if already done.
  int finish();

 private:
  SshTransport(boost::asio::io_context& io, pid_t pid, int to_ssh, int from_ssh);

  pid_t pid_;
  int to_ssh_;  // ssh's stdin; written blocking
  boost::asio::posix::stream_descriptor from_ssh_;
};

// "exit code 255" / "killed by signal 9", for messages.
std::string describe_wait_status(int status);

}  // namespace traio::cli
