#include "daemon/os/journal_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace traio::os {

namespace {

Result<void> write_all(int fd, std::string_view bytes) noexcept {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> sync_directory_of(const std::string& path) noexcept {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  UniqueFd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return last_errno();
  if (::fsync(fd.get()) != 0) return last_errno();
  return {};
}

}  // namespace

Result<JournalFile> JournalFile::open(std::string path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return last_errno();
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return last_errno();
  return JournalFile(std::move(path), std::move(fd), static_cast<std::uint64_t>(st.st_size));
}

Result<void> JournalFile::append(std::string_view bytes) noexcept {
  if (auto ok = write_all(fd_.get(), bytes); !ok) {
    // A short write leaves a torn line; the next record starts on a line of its own so that
    // only the torn one is lost on reading.
    (void)write_all(fd_.get(), "\n");
    return ok;
  }
  size_ += bytes.size();
  return {};
}

Result<void> JournalFile::sync() noexcept {
  if (::fdatasync(fd_.get()) != 0) return last_errno();
  return {};
}

Result<void> JournalFile::replace(std::string_view content) {
  const std::string temp = path_ + ".new";
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return last_errno();
  if (auto ok = write_all(fd.get(), content); !ok) {
    ::unlink(temp.c_str());
    return ok;
  }
  if (::fsync(fd.get()) != 0) {
    const auto error = last_errno();
    ::unlink(temp.c_str());
    return error;
  }
  if (::rename(temp.c_str(), path_.c_str()) != 0) {
    const auto error = last_errno();
    ::unlink(temp.c_str());
    return error;
  }
  (void)sync_directory_of(path_);  // the rename is done; a failed dir fsync only weakens it
  // Reopened for appending: O_APPEND on the fd of the temp file would do, but it was
  // opened for truncation.
  UniqueFd append(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!append) return last_errno();
  fd_ = std::move(append);
  size_ = content.size();
  return {};
}

Result<std::vector<std::string>> read_journal_lines(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::vector<std::string> lines;
  if (!fd) {
    if (errno == ENOENT) return lines;
    return last_errno();
  }
  std::string pending;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    if (n == 0) break;
    std::string_view chunk(buffer, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = chunk.find('\n')) != std::string_view::npos;) {
      pending.append(chunk.substr(0, nl));
      if (!pending.empty()) lines.push_back(std::move(pending));
      pending.clear();
      chunk.remove_prefix(nl + 1);
    }
    pending.append(chunk);
  }
  return lines;  // `pending` is a torn last line
}

Result<UniqueFd> lock_exclusive(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return last_errno();
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return last_errno();
  return fd;
}

}  // namespace traio::os
