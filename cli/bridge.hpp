#pragma once
// `traioctl bridge` (SPEC §6 "Remote"): copies bytes both ways between two fds (stdin and
// stdout) and a connected socket, untouched, so that `ssh HOST traioctl bridge` reaches the
// remote traiod with the remote login's uid. No parsing: long streams (`logs -f`, `events`)
// and many requests in flight pass as they are. At most one fixed buffer per direction:
// a slow reader holds the other side back instead of growing memory.
#include <string>

namespace traio::cli {

struct BridgeEnd {
  bool clean = true;    // the daemon closed, or our reader went away
  std::string error;    // else: what failed (a read or write on the socket)
};

// Runs until the socket closes (after stdin's end: the socket's sending side is shut down
// and the replies drained until the daemon closes) or stdout's reader is gone. Blocks
// SIGPIPE: a closed side gives EPIPE. The socket is made non-blocking; `in` and `out` are
// left as they are (they may be shared with a terminal).
BridgeEnd run_bridge(int in, int out, int socket);

}  // namespace traio::cli
