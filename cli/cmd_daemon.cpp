// ping, version, shutdown: talk to traiod itself (SPEC §3), and the §6 verbs that come later.
#include <iostream>

#include "cli/command.hpp"
#include "cli/output.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

constexpr const char* kClientVersion = "0.1.0";

int run_ping(const Context& ctx) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = conn->client.call("ping", json::object());
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    std::cout << "pong from traiod " << reply.result.value("version", "?") << " at "
              << ctx.socket_path() << '\n';
  }
  return 0;
}

int run_version(const Context& ctx) {
  // The client's own version is known without a daemon: print it before trying to reach one.
  if (!ctx.global.json) std::cout << "traioctl " << kClientVersion << '\n' << std::flush;
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = conn->client.call("version", json::object());
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    json out = reply.result;
    out["client_version"] = kClientVersion;
    print_json(out);
  } else {
    std::cout << "traiod " << reply.result.value("version", "?") << " (protocol "
              << reply.result.value("protocol", 0) << ")\n";
  }
  return 0;
}

int run_shutdown(const Context& ctx) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = conn->client.call("shutdown", json::object());
  // The daemon may close the connection as it stops, before or after its reply: either
  // way it got the request.
  if (reply.status == ReplyStatus::DaemonError) return fail_reply(reply);
  if (ctx.global.json) print_json(json::object());
  return 0;
}

}  // namespace

void add_daemon_commands(CLI::App& app, Commands& commands) {
  commands.add(app.add_subcommand("ping", "check that traiod answers"), run_ping);
  commands.add(app.add_subcommand("version", "traioctl's and traiod's versions"), run_version);
  commands.add(app.add_subcommand("shutdown", "stop traiod: cancel everything, then exit"),
               run_shutdown);
}

void add_later_commands(CLI::App& app, Commands& commands) {
  // SPEC §6 lists them; until they exist they fail as a usage error, nothing is sent.
  for (const char* verb : {"limit", "scale", "pause", "resume", "restart", "retry", "top",
                           "metrics", "bridge"}) {
    auto* sub = app.add_subcommand(verb, "(not supported yet)");
    sub->prefix_command();  // whatever follows is its own business, not a parse error
    sub->group("Later (SPEC §6)");
    const std::string name = verb;
    commands.add(sub, [name](const Context&) { return not_supported(name); });
  }
}

}  // namespace traio::cli
