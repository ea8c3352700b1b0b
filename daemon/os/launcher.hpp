#pragma once
// Starts a job's process (DESIGN: not Boost.Process): its own session, an empty signal
// mask, default dispositions, stdin from /dev/null, no fd of the daemon but the output, the
// job's cwd, environment and credentials, and its cgroup from birth. The fast path is clone3
// sharing the daemon's memory until exec, with a pidfd from the clone (launch_cloned.cpp);
// where clone3 is missing, posix_spawn + pidfd_open, and fork for jobs with credentials
// (posix_spawn cannot change them, launch_forked.cpp).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/os/child.hpp"
#include "daemon/os/credentials.hpp"
#include "daemon/os/environment.hpp"
#include "daemon/os/sys_error.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio::os {

enum class OutputTarget {
  Null,     // stdout and stderr to /dev/null
  Inherit,  // the daemon's own stdout and stderr
  Fd,       // both to `output_fd` (a log or a user file, opened by the caller)
  Split,    // stdout to `output_fd`, stderr to `error_fd` (the write ends of capture pipes)
  File,     // both to `output_file`, opened by the child once it has taken the job's
            // credentials: the user's own permissions decide, and a new file is the user's
};

enum class OpenMode { Append, Truncate };

struct LaunchRequest {
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in the env's PATH
  std::vector<std::string> env;   // "KEY=value"
  std::string cwd;                // empty: the daemon's
  OutputTarget output = OutputTarget::Null;
  int output_fd = -1;             // OutputTarget::Fd and Split; the caller keeps owning it
  int error_fd = -1;              // OutputTarget::Split; the caller keeps owning it
  std::string output_file;        // OutputTarget::File
  OpenMode output_file_mode = OpenMode::Append;
  // Set: the child takes these ids (setgroups, setgid, setuid) before anything else.
  std::optional<Credentials> credentials;
  // An open cgroup v2 directory (O_PATH is enough): the child is born in it. Needs clone3
  // with CLONE_INTO_CGROUP; where that is missing the start fails at the Setup step with
  // ENOSYS or EINVAL, and the caller starts it without (see ProcessRunner::spawn).
  int cgroup_fd = -1;
};

// Whether launches use clone3 (the default, where the kernel and architecture have it) or
// the older posix_spawn and fork paths. TRAIOD_CLONE3=off in traiod's environment, and tests
// of those paths, turn it off.
void set_clone3_enabled(bool enabled) noexcept;
bool clone3_enabled() noexcept;

// Which step of a start failed, so the reason can say more than the errno.
enum class LaunchStep {
  Program,      // argv[0] not found in PATH, or not executable
  Setup,        // fork, pipes, setsid, pidfd_open: the daemon's side
  Credentials,  // setgroups, setgid or setuid
  Output,       // opening OutputTarget::File
  Cwd,          // chdir into `cwd`
  Exec,         // execve itself
};
std::string_view to_string(LaunchStep step);

struct LaunchFailure {
  LaunchStep step = LaunchStep::Exec;
  boost::system::error_code error;
};
using LaunchResult = boost::system::result<Child, LaunchFailure>;

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

// Starts the process. A failed start leaves no child behind and says which step failed
// with its errno: the exec (ENOENT, EACCES, ENOEXEC, ...), the chdir into `cwd`, ...
LaunchResult launch_process(const LaunchRequest& request);
// The same, with the errno alone.
Result<Child> launch(const LaunchRequest& request);

// Opens an output file for a job: O_WRONLY|O_CREAT|O_CLOEXEC, appending or truncating.
Result<UniqueFd> open_output_file(const std::string& path, OpenMode mode) noexcept;

// Whether `path` is a directory we can enter (to explain a failed start in words).
Result<void> check_directory(const std::string& path) noexcept;

}  // namespace traio::os
