// run: submit a tree, finalize it, wait for it; exit code = its outcome (SPEC §3).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/exit_status.hpp"
#include "cli/failure_report.hpp"
#include "cli/output.hpp"
#include "cli/owned_wait.hpp"
#include "cli/progress.hpp"
#include "cli/render_node.hpp"
#include "cli/spec_input.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

struct RunOptions {
  std::string file;
  std::string scope;
  bool follow = false;
  std::string exit_code;
};

Expected<json> load_tree(const std::string& file) {
  auto tree = read_json_file(file);
  if (!tree) return tree.error();
  if (auto st = resolve_env_files_of(*tree, file); !st) return st.error();
  std::error_code ec;
  fill_cwd(*tree, std::filesystem::current_path(ec).string());  // SPEC §2: the caller's cwd
  if (auto st = validate_spec(*tree, SpecKind::Tree, file); !st) return st.error();
  return tree;
}

// --follow: the tree's lifecycle events as they come (NDJSON with --json).
void follow_events(const Context& ctx, Connection& conn, const std::string& path) {
  const bool as_json = ctx.global.json;
  conn.client.send("events", {{"path", path}, {"follow", true}},
                   [as_json](const json& event) {
                     if (as_json) {
                       print_json(event);
                     } else {
                       std::cout << event_line(event) << '\n' << std::flush;
                     }
                   },
                   [](const Reply&) {});
}

void print_summary(const json& node, std::chrono::milliseconds elapsed) {
  std::cout << node.value("path", "?") << ": "
            << scalar_text(node.value("outcome", json())) << " (" << format_age(elapsed) << ")\n";
  if (auto it = node.find("cause"); it != node.end() && it->is_object()) {
    std::cout << cause_lines(*it, "  ");
  } else if (auto reason = node.value("reason", json()); reason.is_string() &&
             node_outcome(node) != Outcome::Succeeded) {
    std::cout << "  reason: " << reason.get<std::string>() << '\n';  // a cancel names no child
  }
  std::cout << std::flush;
}

// After the submission: own the tree, wait for it, report.
int wait_tree(const Context& ctx, Connection& conn, CancelOnSignal& guard, const std::string& path,
              const RunOptions& o, std::chrono::steady_clock::time_point start) {
  guard.own(path);
  if (o.follow) follow_events(ctx, conn, path);
  Reply reply;
  {
    std::optional<ProgressLine> progress;
    if (!o.follow && !ctx.global.json && stderr_is_tty()) progress.emplace(conn, path);
    reply = wait_for(conn.client, WaitArgs{{path}, std::nullopt, false});
  }
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  const json nodes = reply.result.value("nodes", json::array());
  const json node = nodes.empty() ? json::object() : nodes[0];
  if (ctx.global.json) {
    json out = reply.result;
    out["path"] = path;
    print_json(out);
  } else {
    print_summary(node, elapsed);
    if (node_outcome(node) != Outcome::Succeeded && stderr_is_tty()) report_failures(conn, path);
  }
  return exit_code_for_wait(reply.result, o.exit_code == "child" ? ExitCodeMode::Child
                                                                 : ExitCodeMode::Outcome);
}

int run_tree(const Context& ctx, const RunOptions& o) {
  auto tree = load_tree(o.file);
  if (!tree) return fail(ExitCode::Usage, tree.error().message);
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const auto start = std::chrono::steady_clock::now();
  CancelOnSignal guard(*conn);  // before submitting: a Ctrl-C during it still cancels the tree
  const json args = {{"scope", ctx.resolve(o.scope.empty() ? ctx.default_scope : o.scope)},
                     {"tree", *tree}};
  const Reply reply = conn->client.call("submit", args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  const std::string path = reply.result.value("path", "");
  if (!ctx.global.json) std::cout << path << '\n' << std::flush;
  return wait_tree(ctx, *conn, guard, path, o, start);
}

}  // namespace

void add_run_command(CLI::App& app, Commands& commands) {
  auto o = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand("run", "submit a tree, finalize it, wait; exit code = outcome");
  sub->add_option("TREE.json", o->file, "tree file")->required();
  sub->add_option("--scope", o->scope, "scope to run it in (default: $TRAIO_SCOPE or /)");
  sub->add_flag("--follow", o->follow, "stream its events while it runs");
  add_exit_code_option(*sub, o->exit_code);
  commands.add(sub, [o](const Context& ctx) { return run_tree(ctx, *o); });
}

}  // namespace traio::cli
