#pragma once
// The command line that reaches a remote traiod (SPEC §6 "Remote", docs/remote.md):
// `ssh -T -o BatchMode=yes -- [USER@]HOST 'traioctl bridge [--socket PATH]'`, the ssh part
// replaced by $TRAIO_SSH when set (run through `sh -c`, as git runs GIT_SSH_COMMAND, so
// its words may be quoted). Options in $TRAIO_SSH come first and so win over ours (ssh
// keeps the first value of an option).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace traio::cli {

struct RemoteTarget {
  std::string host;                    // --host [USER@]HOST
  std::optional<std::string> socket = std::nullopt;  // --remote-socket: the remote traiod's socket
  std::string traioctl = "traioctl";   // --remote-traioctl: the remote side's traioctl
};

// A usage error (ErrorCode::InvalidRequest) for an empty host or one that starts with '-'
// (ssh would read it as an option: "-oProxyCommand=..." runs a command).
Status check_host(const std::string& host);
// check_host's error, or the command line.
Expected<std::vector<std::string>> ssh_argv(const RemoteTarget& target,
                                           const std::optional<std::string>& traio_ssh);
// `text` as one word for a POSIX shell: in single quotes unless it is plainly safe.
std::string shell_quote(std::string_view text);

}  // namespace traio::cli
