// top (SPEC §6 "Watching"): a live full-screen view of the tree on a terminal; one plain
// frame when stdout is not one (or --once); plain frames every --interval with --frames.
#include <unistd.h>

#include <memory>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/top_session.hpp"

namespace traio::cli {

namespace {

int run_top(const Context& ctx, TopOptions o) {
  if (ctx.global.json) return fail(ExitCode::Usage, "top: no --json form (use ps --json, or events -f --json)");
  const bool terminal = ::isatty(STDOUT_FILENO) == 1 && ::isatty(STDIN_FILENO) == 1;
  const bool interactive = terminal && !o.once && !o.batch;
  if (!interactive && !o.batch) o.once = true;
  return run_top_session(ctx, o, interactive);
}

}  // namespace

void add_top_command(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<TopOptions>();
  auto* sub = app.add_subcommand("top", "live view of the tree: states, CPU, memory, restarts, last log lines");
  sub->add_option("PATH", o->path, "subtree (default: $TRAIO_SCOPE or /)");
  sub->add_flag("--all,-a", o->all, "keep ended nodes (else an ended node shows for 10 s)");
  auto* once = sub->add_flag("--once", o->once, "print the tree once as plain text and exit (the default when stdout is not a terminal)");
  auto* frames = sub->add_option("-n,--frames", o->frames, "plain text: follow the events and print a frame every --interval, N frames (0: until interrupted)")
                     ->check(CLI::NonNegativeNumber);
  sub->add_option("-d,--interval", o->interval, "with --frames: seconds between frames (default 2)")
      ->check(CLI::Range(0.1, 3600.0))
      ->needs(frames);
  once->excludes(frames);
  commands.add(sub, [o, frames](const Context& ctx) {
    TopOptions options = *o;
    options.batch = frames->count() > 0;
    return run_top(ctx, options);
  });
}

}  // namespace traio::cli
