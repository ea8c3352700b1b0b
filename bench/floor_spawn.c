// The physical floor of W1/W2 on this machine: posix_spawn N programs, then reap them all.
// Usage: floor_spawn N PROGRAM [ARG...]   (W1: floor_spawn 1000 /bin/true)
//        floor_spawn -k N PROGRAM [ARG...] (W2: spawn N, print "up" once all run, then
//                                           SIGTERM them all and reap: prints up/down ms)
#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char** environ;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  int kill_mode = argc > 1 && strcmp(argv[1], "-k") == 0;
  if (argc < 3 + kill_mode) {
    fprintf(stderr, "usage: floor_spawn [-k] N PROGRAM [ARG...]\n");
    return 2;
  }
  int n = atoi(argv[1 + kill_mode]);
  char** program = argv + 2 + kill_mode;
  pid_t* pids = calloc((size_t)n, sizeof *pids);
  double t0 = now_ms();
  for (int i = 0; i < n; ++i) {
    if (posix_spawn(&pids[i], program[0], NULL, NULL, program, environ) != 0) {
      perror("posix_spawn");
      return 1;
    }
  }
  if (kill_mode) {
    double up = now_ms();
    for (int i = 0; i < n; ++i) kill(pids[i], SIGTERM);
    for (int i = 0; i < n; ++i) waitpid(pids[i], NULL, 0);
    printf("up_ms %.3f down_ms %.3f\n", up - t0, now_ms() - up);
  } else {
    for (int i = 0; i < n; ++i) waitpid(pids[i], NULL, 0);
  }
  return 0;
}
