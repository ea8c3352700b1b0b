// metrics: traiod's Prometheus text (SPEC §6 "Watching"), printed as it comes; --json
// prints the reply's object ({"content_type", "text"}) instead.
#include <iostream>

#include "cli/command.hpp"
#include "cli/output.hpp"

namespace traio::cli {

namespace {

int run_metrics(const Context& ctx) {
  auto conn = ctx.connect();
  if (!conn) return as_int(ExitCode::Unreachable);
  const Reply reply = conn->client.call("metrics", nlohmann::json::object());
  if (reply.status != ReplyStatus::Ok) return fail_reply(reply);
  if (ctx.global.json) {
    print_json(reply.result);
  } else {
    std::cout << reply.result.value("text", "") << std::flush;
  }
  return 0;
}

}  // namespace

void add_metrics_command(CLI::App& app, Commands& commands) {
  auto* sub = app.add_subcommand("metrics", "traiod's metrics as Prometheus text (docs/metrics.md)");
  commands.add(sub, run_metrics);
}

}  // namespace traio::cli
