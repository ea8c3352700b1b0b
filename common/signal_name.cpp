#include "common/signal_name.hpp"

#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace traio {

namespace {

struct SignalEntry {
  int number;
  std::string_view name;
};

// The standard signals 1-31 by their macros, so the numbers are right on every Linux arch.
constexpr SignalEntry kSignals[] = {
    {SIGHUP, "HUP"},       {SIGINT, "INT"},       {SIGQUIT, "QUIT"},     {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"},     {SIGABRT, "ABRT"},     {SIGBUS, "BUS"},       {SIGFPE, "FPE"},
    {SIGKILL, "KILL"},     {SIGUSR1, "USR1"},     {SIGSEGV, "SEGV"},     {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"},     {SIGALRM, "ALRM"},     {SIGTERM, "TERM"},     {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"},     {SIGCONT, "CONT"},     {SIGSTOP, "STOP"},     {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"},     {SIGTTOU, "TTOU"},     {SIGURG, "URG"},       {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"},     {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"},     {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},         {SIGPWR, "PWR"},       {SIGSYS, "SYS"},
};
// Other spellings users know from kill(1); written back under the names above.
constexpr SignalEntry kAliases[] = {{SIGABRT, "IOT"}, {SIGIO, "POLL"}, {SIGCHLD, "CLD"}};

Error signal_error(std::string message) { return Error{ErrorCode::InvalidRequest, std::move(message)}; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Expected<int> signal_from_number(long long number) {
  if (number >= 1 && number <= 31) return static_cast<int>(number);
  // Real-time signals by number only; 32 and 33 belong to glibc (SIGRTMIN is 34).
  if (number >= SIGRTMIN && number <= SIGRTMAX) return static_cast<int>(number);
  return signal_error(fmt::format("no signal number {} (use 1-31 or {}-{})", number, SIGRTMIN, SIGRTMAX));
}

Expected<int> parse_signal(std::string_view text) {
  if (text.empty()) return signal_error("empty signal name");
  if (text.front() >= '0' && text.front() <= '9') {
    long long number = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return signal_error(fmt::format("unknown signal '{}'", text));
      number = number * 10 + (c - '0');
      if (number > 1000) return signal_error(fmt::format("no signal number {}", text));
    }
    return signal_from_number(number);
  }
  std::string_view bare = text;
  if (bare.size() > 3 && iequals(bare.substr(0, 3), "SIG")) bare.remove_prefix(3);
  for (const SignalEntry& s : kSignals)
    if (iequals(s.name, bare)) return s.number;
  for (const SignalEntry& s : kAliases)
    if (iequals(s.name, bare)) return s.number;
  return signal_error(fmt::format("unknown signal '{}' (e.g. TERM, SIGINT, kill or 15)", text));
}

std::string signal_name(int signo) {
  for (const SignalEntry& s : kSignals)
    if (s.number == signo) return std::string(s.name);
  return std::to_string(signo);
}

}  // namespace traio
