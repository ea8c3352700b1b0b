#pragma once
// The byte stream a Client speaks NDJSON over: the daemon's Unix socket (SocketTransport),
// or the pipes of `ssh HOST traioctl bridge` (SshTransport, `--host`). The client above it
// is the same for both, so every command works remotely unchanged.
#include <cstddef>
#include <functional>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

namespace traio::cli {

class Transport {
 public:
  using ReadHandler = std::function<void(boost::system::error_code, std::size_t)>;

  virtual ~Transport() = default;
  // Completes on the client's io_context once some bytes arrived (or the stream ended).
  virtual void async_read_some(boost::asio::mutable_buffer into, ReadHandler done) = 0;
  // Writes all of `data`, blocking: requests are small and the other end reads while it writes.
  virtual boost::system::error_code write_all(boost::asio::const_buffer data) = 0;
};

}  // namespace traio::cli
