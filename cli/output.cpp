#include "cli/output.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace traio::cli {

namespace {

bool g_json_errors = false;

std::string_view exit_code_name(ExitCode code) {
  switch (code) {
    case ExitCode::Success: return "success";
    case ExitCode::Failed: return "failed";
    case ExitCode::Usage: return "usage";
    case ExitCode::TimedOut: return "timed_out";
    case ExitCode::Cancelled: return "cancelled";
    case ExitCode::NotFound: return "not_found";
    case ExitCode::Unreachable: return "unreachable";
    case ExitCode::Refused: return "refused";
    case ExitCode::WaitExpired: return "wait_expired";
    case ExitCode::Skipped: return "skipped";
  }
  return "failed";
}

int fail_with(ExitCode code, std::string_view name, std::string_view message) {
  if (g_json_errors)
    print_json({{"error", {{"code", name}, {"message", message}, {"exit_code", as_int(code)}}}});
  return fail_text(code, message);
}

}  // namespace

void set_json_errors(bool on) { g_json_errors = on; }

int fail(ExitCode code, std::string_view message) { return fail_with(code, exit_code_name(code), message); }

int fail_text(ExitCode code, std::string_view message) {
  // Multi-line messages (every error of an invalid spec) get the prefix on each line.
  std::string_view rest = message;
  bool first = true;
  while (first || !rest.empty()) {
    const auto nl = rest.find('\n');
    std::cerr << "traioctl: " << rest.substr(0, nl) << '\n';
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    first = false;
  }
  std::cerr.flush();
  return as_int(code);
}

int fail_reply(const Reply& reply) {
  switch (reply.status) {
    case ReplyStatus::Ok:
      return 0;
    case ReplyStatus::Lost:
      return fail(ExitCode::Unreachable, "lost connection to traiod");
    case ReplyStatus::DaemonError:
      return fail_with(exit_code_for(reply.error.code), to_string(reply.error.code), reply.error.message);
  }
  return as_int(ExitCode::Unreachable);
}

int not_supported(std::string_view what) {
  return fail(ExitCode::Usage, std::string(what) + ": not supported yet");
}

void print_json(const nlohmann::json& value) {
  std::cout << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  std::cout.flush();
}

void print_json_text(std::string_view json) {
  std::cout.write(json.data(), static_cast<std::streamsize>(json.size()));
  std::cout << '\n';
  std::cout.flush();
}

bool stdout_colour() {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && *no_colour != '\0') return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace traio::cli
