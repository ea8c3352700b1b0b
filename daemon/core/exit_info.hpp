#pragma once
// How a job's run ended, as its runner reports it. A failing job is data, not an error.
#include <string>

namespace traio {

enum class ExitKind {
  Exited,       // a process exited with `code`
  Signaled,     // a process died of signal `code`
  StartFailed,  // it could not start: `message` says why ("cannot start: ...: No such file or directory")
  Completed,    // an async job finished its work (success)
  Aborted,      // an async job stopped because it was cancelled
};

struct ExitInfo {
  ExitKind kind = ExitKind::Completed;
  int code = 0;
  std::string message;

  static ExitInfo exited(int status) { return {ExitKind::Exited, status, {}}; }
  static ExitInfo signaled(int signo) { return {ExitKind::Signaled, signo, {}}; }
  static ExitInfo start_failed(std::string why) { return {ExitKind::StartFailed, 0, std::move(why)}; }
  static ExitInfo completed() { return {ExitKind::Completed, 0, {}}; }
  static ExitInfo aborted() { return {ExitKind::Aborted, 0, {}}; }
};

}  // namespace traio
