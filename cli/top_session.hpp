#pragma once
// `traioctl top` while it runs: one connection carrying the `events` follow stream, a
// `logs` follow of the watched subtree (each job's last line), `stats` every 2 s for the
// rows on screen, and the requests keys make (cancel, restart, pause, resume, logs).
// Drawn on the terminal (interactive), or as plain frames every interval (batch: stdout
// is not a terminal and --frames was given).
#include <string>

#include "cli/context.hpp"

namespace traio::cli {

struct TopOptions {
  std::string path;
  bool all = false;          // ended nodes too (until the daemon forgets them)
  bool once = false;         // one plain frame and exit
  int frames = 0;            // batch: plain frames to print (0: until interrupted)
  double interval = 2.0;     // batch: seconds between frames
  bool batch = false;        // --frames given
};

// Runs top on `conn` (the `ps` snapshot is taken here); returns the exit code.
int run_top_session(const Context& ctx, const TopOptions& options, bool interactive);

}  // namespace traio::cli
