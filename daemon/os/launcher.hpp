#pragma once
// Starts a job's process (DESIGN: posix_spawn + pidfd_open, not Boost.Process): its own
// session, an empty signal mask, default dispositions, stdin from /dev/null, no fd of the
// daemon but the output, and the job's cwd and environment.
#include <string>
#include <vector>

#include "daemon/os/child.hpp"
#include "daemon/os/environment.hpp"
#include "daemon/os/sys_error.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio::os {

enum class OutputTarget {
  Null,     // stdout and stderr to /dev/null
  Inherit,  // the daemon's own stdout and stderr
  Fd,       // both to `output_fd` (a log or a user file, opened by the caller)
  Split,    // stdout to `output_fd`, stderr to `error_fd` (the write ends of capture pipes)
};

struct LaunchRequest {
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in the env's PATH
  std::vector<std::string> env;   // "KEY=value"
  std::string cwd;                // empty: the daemon's
  OutputTarget output = OutputTarget::Null;
  int output_fd = -1;             // OutputTarget::Fd and Split; the caller keeps owning it
  int error_fd = -1;              // OutputTarget::Split; the caller keeps owning it
};

// A pipe with both ends close-on-exec: the child gets its end through a dup2 file action
// (which clears the flag on the copy), and no other child ever inherits either end.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
Result<Pipe> make_pipe() noexcept;

// Finds `name` in the colon-separated `path` the way execvp does: the first regular,
// executable file; EACCES when only non-executable ones exist, else ENOENT.
Result<std::string> find_executable(const std::string& name, const std::string& path);

// Spawns the process. Errors: the exec failure (ENOENT, EACCES, ...) as glibc's posix_spawn
// reports it, a failed chdir into `cwd`, or a failed pidfd_open (the child is then reaped).
Result<Child> launch(const LaunchRequest& request);

// Opens an output file for a job: O_WRONLY|O_CREAT|O_CLOEXEC, appending or truncating.
enum class OpenMode { Append, Truncate };
Result<UniqueFd> open_output_file(const std::string& path, OpenMode mode) noexcept;

// Whether `path` is a directory we can enter (to explain a failed start in words).
Result<void> check_directory(const std::string& path) noexcept;

}  // namespace traio::os
