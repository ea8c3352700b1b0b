#pragma once
// How traioctl talks to its user: errors on stderr as "traioctl: <message>" (SPEC §3),
// JSON on stdout, colour only on a TTY without NO_COLOR.
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/client.hpp"
#include "common/exit_code.hpp"

namespace traio::cli {

// Prints every line of `message` as "traioctl: <line>" on stderr; returns the code as int.
int fail(ExitCode code, std::string_view message);
// With --json, a failure is also one JSON object on stdout, {"error": {"code", "message"}},
// so that scripts read the stable code (the daemon's error code, or the exit code's name:
// "unreachable", "usage", ...) without parsing stderr.
void set_json_errors(bool on);
// fail() without the JSON object: the message on stderr only.
int fail_text(ExitCode code, std::string_view message);
// A failed reply: lost connection (6) or the daemon's error mapped to its exit code.
int fail_reply(const Reply& reply);
// "traioctl: <verb>: not supported yet", exit 2.
int not_supported(std::string_view what);

void print_json(const nlohmann::json& value);  // one line on stdout
void print_json_text(std::string_view json);   // JSON text (a daemon's result), one line on stdout
bool stdout_colour();                            // stdout is a TTY and NO_COLOR is unset
bool stderr_is_tty();

}  // namespace traio::cli
