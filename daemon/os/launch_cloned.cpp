#include "daemon/os/launch_cloned.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "daemon/os/child_steps.hpp"
#include "daemon/os/launch_forked.hpp"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

// The kernel's struct clone_args (linux/sched.h, up to the cgroup field of Linux 5.7),
// spelled out: that header clashes with glibc's <sched.h>.
struct TraioCloneArgs {
  std::uint64_t flags;
  std::uint64_t pidfd;
  std::uint64_t child_tid;
  std::uint64_t parent_tid;
  std::uint64_t exit_signal;
  std::uint64_t stack;
  std::uint64_t stack_size;
  std::uint64_t tls;
  std::uint64_t set_tid;
  std::uint64_t set_tid_size;
  std::uint64_t cgroup;
};

#if defined(__x86_64__)
// clone3 with a stack of its own returns, in the child, on that stack: no C++ frame of the
// caller exists there, so the child cannot return through the syscall wrapper. This calls
// clone3 and, in the child, `entry(arg)` on the new stack, then exit(2) should it return.
// Returns what clone3 returned to the parent: the pid, or -errno. (glibc has the same
// trampoline for its posix_spawn, but does not export it.)
extern "C" long traio_clone3_call(TraioCloneArgs* args, unsigned long size, int (*entry)(void*), void* arg);
asm(R"(
  .text
  .p2align 4
  .globl traio_clone3_call
  .type traio_clone3_call, @function
traio_clone3_call:
  .cfi_startproc
  mov %rdx, %r8            # entry and arg survive the syscall in r8, r9
  mov %rcx, %r9
  mov $435, %eax           # SYS_clone3
  syscall
  test %rax, %rax
  jnz 1f
  .cfi_undefined rip       # the child: a fresh stack, no caller to unwind to
  xor %ebp, %ebp
  mov %r9, %rdi
  call *%r8
  mov %eax, %edi
  mov $60, %eax            # SYS_exit
  syscall
  hlt
1:
  ret
  .cfi_endproc
  .size traio_clone3_call, .-traio_clone3_call
  .section .note.GNU-stack,"",@progbits
  .text
)");
#define TRAIO_HAVE_CLONE3_CALL 1
#endif

namespace traio::os::detail {

#if defined(TRAIO_HAVE_CLONE3_CALL)

namespace {

extern "C" __attribute__((no_sanitize("address", "undefined"))) int traio_child_entry(void* plan) {
  run_child(*static_cast<const ChildPlan*>(plan));
}

// The child's stack, kept for the thread's life: the child uses it only until its exec or
// exit, and the parent is suspended until then (CLONE_VFORK), so one per thread suffices.
// A guard page below it turns an overflow into a crash of the child, not of the daemon.
class ChildStack {
 public:
  static constexpr std::size_t kSize = 64 * 1024;
  static constexpr std::size_t kGuard = 4096;
  ChildStack() {
    void* p = ::mmap(nullptr, kSize + kGuard, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) return;
    if (::mprotect(p, kGuard, PROT_NONE) != 0) {
      ::munmap(p, kSize + kGuard);
      return;
    }
    base_ = static_cast<char*>(p);
  }
  ~ChildStack() {
    if (base_ != nullptr) ::munmap(base_, kSize + kGuard);
  }
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  bool ok() const { return base_ != nullptr; }
  std::uint64_t low() const { return reinterpret_cast<std::uint64_t>(base_ + kGuard); }

 private:
  char* base_ = nullptr;
};

// Blocks every signal for the clone, so that no handler of the daemon runs in the child
// before it has reset them; restores the mask on the way out.
class AllSignalsBlocked {
 public:
  AllSignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old_);
  }
  ~AllSignalsBlocked() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  AllSignalsBlocked(const AllSignalsBlocked&) = delete;
  AllSignalsBlocked& operator=(const AllSignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

void reap(int pidfd) {
  siginfo_t info;
  while (::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED) < 0 && errno == EINTR) {
  }
}

}  // namespace

LaunchResult launch_cloned(const LaunchRequest& request, const std::string& program) {
  thread_local ChildStack stack;
  if (!stack.ok()) return LaunchFailure{LaunchStep::Setup, errno_code(ENOMEM)};
  auto argv = c_strings(request.argv);
  auto envp = c_strings(request.env);
  ChildReport report;
  const ChildPlan plan = plan_for(request, program, argv, envp, &report, -1);
  int pidfd = -1;
  TraioCloneArgs args{};
  args.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  args.stack = stack.low();
  args.stack_size = ChildStack::kSize;
  if (request.cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<std::uint64_t>(request.cgroup_fd);
  }
  long pid;
  {
    AllSignalsBlocked blocked;
    pid = traio_clone3_call(&args, sizeof args, traio_child_entry, const_cast<ChildPlan*>(&plan));
  }
  if (pid < 0) return LaunchFailure{LaunchStep::Setup, errno_code(static_cast<int>(-pid))};
  // The parent runs again only once the child has exec'd or exited: the report is final.
  const volatile ChildReport& seen = report;
  if (const int step = seen.step; step >= 0) {
    const int error = seen.error;
    reap(pidfd);
    ::close(pidfd);
    return LaunchFailure{static_cast<LaunchStep>(step), errno_code(error)};
  }
  return Child(static_cast<pid_t>(pid), UniqueFd(pidfd));
}

#else

LaunchResult launch_cloned(const LaunchRequest&, const std::string&) {
  return LaunchFailure{LaunchStep::Setup, errno_code(ENOSYS)};
}

#endif

}  // namespace traio::os::detail
