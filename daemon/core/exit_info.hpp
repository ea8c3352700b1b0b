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
  // SPEC §6 limits: the kernel's OOM killer killed a process of the run (memory.events of its
  // cgroup counted an oom_kill). A run that then fails fails with reason "oom".
  bool oom = false;

  static ExitInfo exited(int status) { return {ExitKind::Exited, status, {}, false}; }
  static ExitInfo signaled(int signo) { return {ExitKind::Signaled, signo, {}, false}; }
  static ExitInfo start_failed(std::string why) { return {ExitKind::StartFailed, 0, std::move(why), false}; }
  static ExitInfo completed() { return {ExitKind::Completed, 0, {}, false}; }
  static ExitInfo aborted() { return {ExitKind::Aborted, 0, {}, false}; }
};

}  // namespace traio
