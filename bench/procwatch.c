// Watches the processes whose name (comm) is COMM, the same way for every system of the
// comparison, without asking the systems themselves (their status commands are the slow
// part being measured elsewhere). COMM is unique to the benchmark: the programs are run
// through a symlink named COMM (e.g. bnchsleep -> /bin/sleep), and the kernel names a
// process after the file it was exec'd through.
//   procwatch count COMM              print "LIVE ZOMBIES" once
//   procwatch up COMM N TIMEOUT_S     wait until N are running (exec'd, not zombies)
//   procwatch gone COMM TIMEOUT_S     wait until none is left, zombies included (reaped)
//   procwatch execs COMM N TIMEOUT_S  (as root) listen to the kernel's process events, print
//                                     "ready", then wait until N processes named COMM have
//                                     been exec'd (W2 up)
//   procwatch exits COMM TIMEOUT_S    (as root) note the live processes named COMM, listen,
//                                     print "ready", wait until they have all exited, then
//                                     until none is left unreaped (W2 down)
//   procwatch runs COMM N TIMEOUT_S ROOT
//                                     (as root) listen to the kernel's process events, print
//                                     "ready", then wait until N processes named COMM, in
//                                     ROOT's process tree, have exited and none is left
//                                     unreaped
// The waits print the wall-clock time they saw the condition at, in microseconds since the
// epoch (bash's $EPOCHREALTIME, times 1e6), or "timeout" (exit 1). up and gone poll /proc
// every 2 ms; with 1000 programs alive one scan costs ~15 ms of a core, so the event-driven
// modes (execs, exits, runs) are what the timings use: they cost the measured system nothing
// but a read of /proc/PID/stat per exec.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(int clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void print_done(void) { printf("%.0f\n", now_s(CLOCK_REALTIME) * 1e6); }

// Reads /proc/PID/stat: comm is between the first '(' and the last ')', the state follows.
static int comm_and_state(const char* pid, char* comm, size_t size, char* state) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char* open_paren = strchr(buf, '(');
  char* close_paren = strrchr(buf, ')');
  if (!open_paren || !close_paren || close_paren[1] == 0) return -1;
  size_t len = (size_t)(close_paren - open_paren - 1);
  if (len >= size) len = size - 1;
  memcpy(comm, open_paren + 1, len);
  comm[len] = 0;
  *state = close_paren[2];
  return 0;
}

static void count(const char* want, int* live, int* zombies) {
  *live = *zombies = 0;
  DIR* proc = opendir("/proc");
  struct dirent* e;
  char comm[64], state;
  while ((e = readdir(proc))) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    if (comm_and_state(e->d_name, comm, sizeof comm, &state) != 0) continue;
    if (strcmp(comm, want) != 0) continue;
    if (state == 'Z') ++*zombies; else ++*live;
  }
  closedir(proc);
}

static void pause_2ms(void) { nanosleep(&(struct timespec){0, 2000000}, NULL); }

static int wait_until(const char* comm, int want_live, double timeout) {
  double deadline = now_s(CLOCK_MONOTONIC) + timeout;
  int live, zombies;
  for (;;) {
    count(comm, &live, &zombies);
    int met = want_live > 0 ? live >= want_live : live + zombies == 0;
    if (met) return print_done(), 0;
    if (now_s(CLOCK_MONOTONIC) > deadline) return printf("timeout\n"), 1;
    pause_2ms();
  }
}

// The process events connector: every exec and exit on the machine, in order.
static int listen_events(void) {
  int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return -1;
  int big = 32 << 20;  // a burst of 1000 spawns must not overflow the queue
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0};
  if (bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0) return -1;
  struct {
    struct nlmsghdr header;
    struct cn_msg message;
    enum proc_cn_mcast_op op;
  } __attribute__((packed)) request = {
      .header = {.nlmsg_len = sizeof request, .nlmsg_type = NLMSG_DONE},
      .message = {.id = {CN_IDX_PROC, CN_VAL_PROC}, .len = sizeof(enum proc_cn_mcast_op)},
      .op = PROC_CN_MCAST_LISTEN};
  if (send(fd, &request, sizeof request, 0) < 0) return -1;
  return fd;
}

// Marks ROOT and its current descendants (later ones are followed through fork events).
static void mark_tree(int root, unsigned char* in_tree, int max_pid) {
  in_tree[root] = 1;
  for (int grew = 1; grew;) {
    grew = 0;
    DIR* proc = opendir("/proc");
    struct dirent* e;
    while ((e = readdir(proc))) {
      if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
      char path[300], buf[512];
      snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      ssize_t n = read(fd, buf, sizeof buf - 1);
      close(fd);
      if (n <= 0) continue;
      buf[n] = 0;
      char* after = strrchr(buf, ')');
      int pid = atoi(e->d_name), ppid = 0;
      if (!after || sscanf(after + 2, "%*c %d", &ppid) != 1) continue;
      if (pid < max_pid && ppid < max_pid && in_tree[ppid] && !in_tree[pid]) in_tree[pid] = grew = 1;
    }
    closedir(proc);
  }
}

// Reads the next batch of process events; 0 when none came within 100 ms.
static ssize_t next_events(int fd, char* buf, size_t size) {
  struct pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, 100) <= 0) return 0;
  ssize_t len = recv(fd, buf, size, 0);
  return len < 0 ? 0 : len;
}

static struct proc_event* event_in(struct nlmsghdr* h) {
  return (struct proc_event*)((struct cn_msg*)NLMSG_DATA(h))->data;
}

static int start_listening(void) {
  // Real-time priority, so that each exec event is read while its process still exists.
  sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){.sched_priority = 50});
  int fd = listen_events();
  if (fd < 0) fprintf(stderr, "procwatch: process events: %s\n", strerror(errno));
  return fd;
}

enum { MAX_PID = 1 << 22 };  // pid_max is at most 4M
static unsigned char in_tree[MAX_PID], ours[MAX_PID];

static int wait_runs(const char* want, int n, double timeout, int root) {
  int fd = start_listening();
  if (fd < 0) return 2;
  mark_tree(root, in_tree, MAX_PID);
  printf("ready\n");
  fflush(stdout);
  double deadline = now_s(CLOCK_MONOTONIC) + timeout;
  // A process of the tree whose name cannot be read at its exec was reaped before this
  // listener got there (seen at normal priority under load, 6 of 200): it counts as one of
  // ours, since the supervisor's tree execs nothing else.
  int exited = 0, unnamed = 0;
  char buf[65536], pid[16], comm[64], state;
  while (exited < n) {
    if (now_s(CLOCK_MONOTONIC) > deadline)
      return printf("timeout (%d exited, %d of them unnamed)\n", exited, unnamed), 1;
    ssize_t len = next_events(fd, buf, sizeof buf);
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
      struct proc_event* ev = event_in(h);
      if (ev->what == PROC_EVENT_FORK) {
        int parent = ev->event_data.fork.parent_tgid, child = ev->event_data.fork.child_tgid;
        if (parent < MAX_PID && child < MAX_PID && in_tree[parent]) in_tree[child] = 1;
      } else if (ev->what == PROC_EVENT_EXEC) {
        int p_id = ev->event_data.exec.process_tgid;
        if (p_id >= MAX_PID || !in_tree[p_id]) continue;
        snprintf(pid, sizeof pid, "%d", p_id);
        int named = comm_and_state(pid, comm, sizeof comm, &state) == 0;
        ours[p_id] = !named || strcmp(comm, want) == 0;
        if (!named) ++unnamed;
      } else if (ev->what == PROC_EVENT_EXIT) {
        int p_id = ev->event_data.exit.process_pid;
        if (p_id != ev->event_data.exit.process_tgid || p_id >= MAX_PID) continue;
        if (ours[p_id]) ++exited;
        ours[p_id] = in_tree[p_id] = 0;
      }
    }
  }
  close(fd);
  if (unnamed) fprintf(stderr, "procwatch: %d of %d exits counted unnamed\n", unnamed, n);
  return wait_until(want, 0, deadline - now_s(CLOCK_MONOTONIC));
}

static int wait_execs(const char* want, int n, double timeout) {
  int fd = start_listening();
  if (fd < 0) return 2;
  printf("ready\n");
  double deadline = now_s(CLOCK_MONOTONIC) + timeout;
  int seen = 0;
  char buf[65536], pid[16], comm[64], state;
  while (seen < n) {
    if (now_s(CLOCK_MONOTONIC) > deadline) return printf("timeout (%d exec'd)\n", seen), 1;
    ssize_t len = next_events(fd, buf, sizeof buf);
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
      struct proc_event* ev = event_in(h);
      if (ev->what != PROC_EVENT_EXEC) continue;
      int p_id = ev->event_data.exec.process_tgid;
      if (p_id >= MAX_PID || ours[p_id]) continue;
      snprintf(pid, sizeof pid, "%d", p_id);
      if (comm_and_state(pid, comm, sizeof comm, &state) == 0 && strcmp(comm, want) == 0)
        ours[p_id] = 1, ++seen;
    }
  }
  close(fd);
  return print_done(), 0;
}

static int wait_exits(const char* want, double timeout) {
  int fd = start_listening();
  if (fd < 0) return 2;
  int left = 0;
  DIR* proc = opendir("/proc");
  struct dirent* e;
  char comm[64], state;
  while ((e = readdir(proc))) {
    int p_id = atoi(e->d_name);
    if (p_id <= 0 || p_id >= MAX_PID) continue;
    if (comm_and_state(e->d_name, comm, sizeof comm, &state) != 0 || strcmp(comm, want) != 0) continue;
    if (state != 'Z') ours[p_id] = 1, ++left;
  }
  closedir(proc);
  printf("ready\n");
  double deadline = now_s(CLOCK_MONOTONIC) + timeout;
  char buf[65536];
  while (left > 0) {
    if (now_s(CLOCK_MONOTONIC) > deadline) return printf("timeout (%d left)\n", left), 1;
    ssize_t len = next_events(fd, buf, sizeof buf);
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
      struct proc_event* ev = event_in(h);
      if (ev->what != PROC_EVENT_EXIT) continue;
      int p_id = ev->event_data.exit.process_pid;
      if (p_id != ev->event_data.exit.process_tgid || p_id >= MAX_PID || !ours[p_id]) continue;
      ours[p_id] = 0, --left;
    }
  }
  close(fd);
  // All have exited; the zombies among them go once the supervisor has reaped them.
  return wait_until(want, 0, deadline - now_s(CLOCK_MONOTONIC));
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 3 && strcmp(argv[1], "count") == 0) {
    int live, zombies;
    count(argv[2], &live, &zombies);
    printf("%d %d\n", live, zombies);
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "up") == 0) return wait_until(argv[2], atoi(argv[3]), atof(argv[4]));
  if (argc == 4 && strcmp(argv[1], "gone") == 0) return wait_until(argv[2], 0, atof(argv[3]));
  if (argc == 5 && strcmp(argv[1], "execs") == 0) return wait_execs(argv[2], atoi(argv[3]), atof(argv[4]));
  if (argc == 4 && strcmp(argv[1], "exits") == 0) return wait_exits(argv[2], atof(argv[3]));
  if (argc == 6 && strcmp(argv[1], "runs") == 0)
    return wait_runs(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
  fprintf(stderr, "usage: procwatch count COMM | up COMM N T | gone COMM T | execs COMM N T | exits COMM T | runs COMM N T ROOT\n");
  return 2;
}
