// ping, version, shutdown: talk to traiod itself (SPEC §3), and the §6 verbs that come later.
#include <iostream>

#include "cli/command.hpp"
#include "common/version.hpp"
#include "cli/output.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

constexpr const char* kClientVersion = kVersion;

int run_ping(const Context& ctx) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = conn->client.call("ping", json::object());
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    std::cout << "pong from traiod " << reply.result.value("version", "?") << " at "
              << ctx.daemon_address() << '\n';
  }
  return 0;
}

// What `version --json` prints when traiod did not answer: the client's half, and null for
// the daemon's, so scripts read the same fields either way.
json client_only_version() {
  return json{{"client_version", kClientVersion}, {"daemon_version", nullptr}, {"daemon_reachable", false}};
}

int run_version(const Context& ctx) {
  // The client's own version is known without a daemon: print it before trying to reach one.
  if (!ctx.global.json) std::cout << "traioctl " << kClientVersion << '\n' << std::flush;
  // Unreachable: connect() says so on stderr ("cannot reach traiod at ..."), exit 6. With
  // --json the one object on stdout is the version's, which says daemon_reachable: false.
  set_json_errors(false);
  auto conn = ctx.connect();
  set_json_errors(ctx.global.json);
  if (!conn) {
    if (ctx.global.json) print_json(client_only_version());
    return as_int(ExitCode::Unreachable);
  }
  const Reply reply = conn->client.call("version", json::object());
  if (reply.status != ReplyStatus::Ok) {
    if (ctx.global.json) print_json(client_only_version());
    return fail_reply(reply);
  }
  const std::string daemon_version = reply.result.value("version", "?");
  if (ctx.global.json) {
    json out = reply.result;  // "version" (the daemon's) and "protocol" stay for older scripts
    out["client_version"] = kClientVersion;
    out["daemon_version"] = daemon_version;
    out["daemon_reachable"] = true;
    print_json(out);
  } else {
    std::cout << "traiod " << daemon_version << " (protocol " << reply.result.value("protocol", 0)
              << ") at " << ctx.daemon_address() << '\n';
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
  for (const char* verb : std::initializer_list<const char*>{}) {  // none left: `top` came
    // A verb whose own group was added since (before this, in main) is no longer reserved.
    if (!app.get_subcommands([verb](const CLI::App* s) { return s->get_name() == verb; }).empty()) continue;
    auto* sub = app.add_subcommand(verb, "(not supported yet)");
    sub->prefix_command();  // whatever follows is its own business, not a parse error
    sub->group("Later (SPEC §6)");
    const std::string name = verb;
    commands.add(sub, [name](const Context&) { return not_supported(name); });
  }
}

}  // namespace traio::cli
