/* LD_PRELOAD shim: CLOCK_REALTIME (and its coarse twin) read plus an offset in seconds taken from
   the file named by CLOCKSHIFT_FILE (re-read at every call; a missing or empty file is 0).
   Monotonic clocks are untouched. For tests of wall-clock steps without touching the host clock. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>

static long offset(void) {
  const char *f = getenv("CLOCKSHIFT_FILE");
  if (!f) return 0;
  int fd = open(f, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char b[32];
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  if (n <= 0) return 0;
  b[n] = 0;
  return strtol(b, NULL, 10);
}

int clock_gettime(clockid_t id, struct timespec *ts) {
  static int (*real)(clockid_t, struct timespec *);
  if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
  int r = real(id, ts);
  if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += offset();
  return r;
}
