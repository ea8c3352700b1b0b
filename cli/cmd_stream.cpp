// logs and events (SPEC §3).
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <boost/asio/signal_set.hpp>

#include "cli/command.hpp"
#include "cli/output.hpp"
#include "cli/render_node.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

struct LogsOptions {
  std::string path;
  bool follow = false;
  std::optional<int> lines;
  std::string stream;
  bool timestamps = false;
};

// A scope merges its subtree: lines of other nodes than the one asked for get "[path] ".
void print_log_line(const json& line, const std::string& asked, const LogsOptions& o) {
  std::string out;
  if (o.timestamps) {
    for (const char* key : {"time", "timestamp"})
      if (auto it = line.find(key); it != line.end() && it->is_string()) {
        out += it->get<std::string>() + " ";
        break;
      }
  }
  const std::string path = line.value("path", asked);
  if (path != asked) out += "[" + path + "] ";
  out += line.value("line", "");
  std::cout << out << '\n';
}

// -f: each line as it comes (NDJSON with --json) until the node ends; Ctrl-C just stops
// watching (the node is not ours to cancel), quietly and with exit 0, as tail -f does.
int follow_logs(const Context& ctx, const LogsOptions& o, Connection& conn, json args, const std::string& path) {
  args["follow"] = true;
  boost::asio::signal_set interrupt(conn.io, SIGINT);
  interrupt.async_wait([](boost::system::error_code ec, int) {
    if (ec) return;  // operation_aborted: the set is gone with this call
    std::cout << std::flush;
    std::exit(0);
  });
  const Reply reply = conn.client.call("logs", args, [&](const json& line) {
    if (ctx.global.json) {
      print_json(line);
    } else {
      print_log_line(line, path, o);
      std::cout << std::flush;
    }
  });
  // The daemon stopping ends a follow as it ends everything: not an error of ours.
  if (reply.status == ReplyStatus::Lost) return 0;
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  return 0;
}

int run_logs(const Context& ctx, const LogsOptions& o) {
  const std::string path = ctx.resolve(o.path);
  json args = {{"path", path}};
  if (o.lines) args["lines"] = *o.lines;
  if (!o.stream.empty()) args["stream"] = o.stream;
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  if (o.follow) return follow_logs(ctx, o, *conn, std::move(args), path);
  const Reply reply = conn->client.call("logs", args);
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
    return 0;
  }
  for (const auto& line : reply.result.value("lines", json::array())) print_log_line(line, path, o);
  std::cout << std::flush;
  return 0;
}

struct EventsOptions {
  std::string path;
  bool follow = false;
};

int run_events(const Context& ctx, const EventsOptions& o) {
  json args = {{"path", ctx.resolve(o.path.empty() ? ctx.default_scope : o.path)}};
  if (o.follow) args["follow"] = true;
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  json collected = json::array();
  const bool as_json = ctx.global.json;
  // With -f each event is printed as it comes (NDJSON with --json); without, --json prints
  // one object holding them all.
  const Reply reply = conn->client.call("events", args, [&](const json& event) {
    if (as_json && !o.follow) {
      collected.push_back(event);
    } else if (as_json) {
      print_json(event);
    } else {
      std::cout << event_line(event) << '\n' << std::flush;
    }
  });
  if (reply.status != ReplyStatus::Ok) {
    // The daemon stopping ends a follow stream as it ends everything: not an error of ours.
    if (o.follow && reply.status == ReplyStatus::Lost) return 0;
    return fail_reply(reply);
  }
  if (as_json && !o.follow) print_json(json{{"events", collected}});
  return 0;
}

}  // namespace

void add_stream_commands(CLI::App& app, Commands& commands) {
  auto logs = std::make_shared<LogsOptions>();
  auto* logs_cmd = app.add_subcommand("logs", "a job's output; a scope merges its subtree");
  logs_cmd->add_option("PATH", logs->path, "node path")->required();
  logs_cmd->add_flag("-f,--follow", logs->follow, "keep printing new lines");
  logs_cmd->add_option("-n,--lines", logs->lines, "last N lines (with -f: 10 unless given)")->check(CLI::NonNegativeNumber);
  logs_cmd->add_option("--stream", logs->stream, "out or err")->check(CLI::IsMember({"out", "err"}));
  logs_cmd->add_flag("--timestamps", logs->timestamps, "prefix each line with its time");
  commands.add(logs_cmd, [logs](const Context& ctx) { return run_logs(ctx, *logs); });

  auto ev = std::make_shared<EventsOptions>();
  auto* ev_cmd = app.add_subcommand("events", "lifecycle events");
  ev_cmd->add_option("PATH", ev->path, "subtree (default: $TRAIO_SCOPE or /)");
  ev_cmd->add_flag("-f,--follow", ev->follow, "keep printing new events");
  commands.add(ev_cmd, [ev](const Context& ctx) { return run_events(ctx, *ev); });
}

}  // namespace traio::cli
