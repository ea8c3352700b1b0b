#include "daemon/server/socket_setup.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace traio {
namespace {

namespace fs = std::filesystem;
using boost::asio::local::stream_protocol;

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

// Whoever may rename or replace entries in the socket's directory may put their own socket
// in its place and read what clients send (/tmp/traio-<uid> made ahead by another user): the
// directory must be ours or root's, and not writable by others unless sticky (/tmp).
void check_parent_dir(const fs::path& parent) {
  struct stat st {};
  if (::stat(parent.c_str(), &st) != 0) fail(fmt::format("cannot stat {}: {}", parent.string(), std::strerror(errno)));
  if (st.st_uid != 0 && st.st_uid != ::geteuid())
    fail(fmt::format("{} is owned by uid {}, not by uid {} or root: another user could replace the socket",
                     parent.string(), st.st_uid, ::geteuid()));
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)
    fail(fmt::format("{} is writable by its group or others (mode {:04o}): another user could replace the socket",
                     parent.string(), st.st_mode & 07777));
}

void make_parent_dir(const fs::path& socket_path) {
  fs::path parent = socket_path.parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  if (!fs::exists(parent, ec)) {
    fs::create_directories(parent, ec);
    if (ec) fail(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
    fs::permissions(parent, fs::perms(0755), ec);
    if (ec) fail(fmt::format("cannot chmod {}: {}", parent.string(), ec.message()));
  }
  check_parent_dir(parent);
}

// A socket file left by a daemon that died is removed; a live one means another traiod
// owns this path. ECONNREFUSED is the kernel's answer for "nobody listens".
void clear_stale_socket(boost::asio::io_context& io, const std::string& path) {
  std::error_code fec;
  auto status = fs::symlink_status(path, fec);
  if (fec || !fs::exists(status)) return;
  if (!fs::is_socket(status)) fail(fmt::format("{} exists and is not a socket", path));
  stream_protocol::socket probe(io);
  boost::system::error_code ec;
  probe.connect(stream_protocol::endpoint(path), ec);
  if (!ec) fail(fmt::format("another traiod is listening on {}", path));
  if (ec == boost::system::errc::no_such_file_or_directory) return;  // ENOENT: gone meanwhile
  if (ec != boost::asio::error::connection_refused)
    fail(fmt::format("cannot check {}: {}", path, ec.message()));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    fail(fmt::format("cannot remove stale socket {}: {}", path, std::strerror(errno)));
}

void apply_mode_and_group(const DaemonConfig::Socket& config) {
  if (::chmod(config.path.c_str(), config.mode) != 0)
    fail(fmt::format("cannot chmod {}: {}", config.path, std::strerror(errno)));
  if (config.group.empty()) return;
  struct group* gr = ::getgrnam(config.group.c_str());
  if (gr == nullptr) fail(fmt::format("socket.group: no group '{}'", config.group));
  if (::chown(config.path.c_str(), static_cast<uid_t>(-1), gr->gr_gid) != 0)
    fail(fmt::format("cannot give {} to group {}: {}", config.path, config.group, std::strerror(errno)));
}

}  // namespace

stream_protocol::acceptor open_listener(boost::asio::io_context& io, const DaemonConfig::Socket& config) {
  if (config.path.empty()) fail("socket.path is empty");
  make_parent_dir(config.path);
  clear_stale_socket(io, config.path);
  stream_protocol::acceptor acceptor(io);
  boost::system::error_code ec;
  stream_protocol::endpoint endpoint;
  try {
    endpoint = stream_protocol::endpoint(config.path);
  } catch (const boost::system::system_error& e) {
    fail(fmt::format("socket path {}: {}", config.path, e.code().message()));
  }
  if (acceptor.open(endpoint.protocol(), ec); ec) fail(fmt::format("socket: {}", ec.message()));
  if (acceptor.bind(endpoint, ec); ec) fail(fmt::format("cannot bind {}: {}", config.path, ec.message()));
  // Mode and group before listen: no client can connect through looser permissions.
  apply_mode_and_group(config);
  if (acceptor.listen(boost::asio::socket_base::max_listen_connections, ec); ec)
    fail(fmt::format("cannot listen on {}: {}", config.path, ec.message()));
  return acceptor;
}

void remove_socket_file(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

}  // namespace traio
