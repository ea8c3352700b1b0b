// ps and inspect: look at the tree (SPEC §3).
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/render_graph.hpp"
#include "cli/render_node.hpp"
#include "cli/render_tree.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

struct ViewOptions {
  std::string path;
  bool all = false;
  bool graph = false;
  bool stats = false;
};

int run_ps(const Context& ctx, const ViewOptions& o) {
  json args = {{"path", ctx.resolve(o.path.empty() ? ctx.default_scope : o.path)}};
  if (o.all) args["all"] = true;
  if (o.stats) args["stats"] = true;
  // The tree shows a few fields; --json gets them all, and so does the graph (it needs `after`).
  if (!ctx.global.json && !o.graph) args["brief"] = true;
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  if (ctx.global.json) {  // the daemon's bytes as they are: the same as parsing and dumping them
    const Reply reply = conn->client.call_for_text("ps", args);
    if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
    print_json_text(reply.result_text);
    return 0;
  }
  const Reply reply = conn->client.call("ps", args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (o.graph) {
    std::cout << render_graph(reply.result.value("node", json::object()), WallClock::now()) << std::flush;
    return 0;
  }
  TreeStyle style;
  style.colour = stdout_colour() ? Colour::On : Colour::Off;
  style.stats = o.stats;
  std::cout << render_tree(reply.result.value("node", json::object()), style) << std::flush;
  return 0;
}

int run_inspect(const Context& ctx, const ViewOptions& o) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const json args = {{"path", ctx.resolve(o.path)}};
  if (ctx.global.json) {
    const Reply reply = conn->client.call_for_text("inspect", args);
    if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
    print_json_text(reply.result_text);
    return 0;
  }
  const Reply reply = conn->client.call("inspect", args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  std::cout << inspect_text(reply.result.value("node", json::object())) << std::flush;
  return 0;
}

}  // namespace

void add_view_commands(CLI::App& app, Commands& commands) {
  auto ps = std::make_shared<ViewOptions>();
  auto* ps_cmd = app.add_subcommand("ps", "live (or all) nodes as a tree");
  ps_cmd->add_option("PATH", ps->path, "subtree (default: $TRAIO_SCOPE or /)");
  ps_cmd->add_flag("--all,-a", ps->all, "include ended nodes");
  ps_cmd->add_flag("--stats", ps->stats, "CPU time and memory of each running job (cpu_usec, memory_bytes, memory_peak)");
  ps_cmd->add_flag("--graph", ps->graph, "each scope's dependency graph: its children in stages of `after` (--json carries the edges)");
  commands.add(ps_cmd, [ps](const Context& ctx) { return run_ps(ctx, *ps); });

  auto in = std::make_shared<ViewOptions>();
  auto* in_cmd = app.add_subcommand("inspect", "every field of one node");
  in_cmd->add_option("PATH", in->path, "node path")->required();
  commands.add(in_cmd, [in](const Context& ctx) { return run_inspect(ctx, *in); });
}

}  // namespace traio::cli
