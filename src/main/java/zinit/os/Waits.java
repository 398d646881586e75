package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Blocking waits on fds for callers that must block (sweep, host close, the short freeze before a
 * stop signal).
 */
final class Waits {
  private Waits() {}

  /**
   * poll(2) for POLLIN on {@code fds} up to {@code timeoutMillis} (0: just look). Returns how many
   * are ready; EINTR counts as "none yet" and the caller re-checks its condition.
   */
  static int pollIn(int[] fds, int timeoutMillis) {
    return poll(fds, Flags.POLLIN, timeoutMillis);
  }

  private static int poll(int[] fds, short events, int timeoutMillis) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment set = arena.allocate(8L * fds.length, 4);
      for (int i = 0; i < fds.length; i++) {
        set.set(ValueLayout.JAVA_INT, 8L * i, fds[i]);
        set.set(ValueLayout.JAVA_SHORT, 8L * i + 4, events);
      }
      Libc.Ret r = Libc.poll(set, fds.length, timeoutMillis);
      if (r.failed()) {
        if (r.errno() == Errno.EINTR) return 0;
        throw new OsException("poll", r.errno());
      }
      return r.asInt();
    }
  }

  /**
   * Waits until the cgroup (with its children) has no process left, by POLLPRI on cgroup.events,
   * or the deadline passes. Returns whether it is empty.
   */
  static boolean cgroupEmpty(Cgroup cgroup, long deadlineNanos) {
    Path events = cgroup.eventsFile();
    if (!events.toFile().exists()) return true;
    int fd;
    try {
      fd = Fds.open(events.toString(), Flags.O_RDONLY);
    } catch (OsException e) {
      if (Cgroup.gone(e)) return true; // removed since the check above: empty
      throw e;
    }
    try {
      for (; ; ) {
        var now = Fds.tryPreadAll(fd, 256);
        if (now.isEmpty() || !Cgroup.populated(now.get())) return true;
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) return false;
        poll(new int[] {fd}, Flags.POLLPRI, (int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)));
      }
    } finally {
      Fds.close(fd);
    }
  }

  /**
   * Waits, by POLLPRI on cgroup.events, until the kernel reports the cgroup frozen or the deadline
   * passes. Returns whether it is frozen; a cgroup removed meanwhile (the unit emptied and was
   * closed while a stop signal was on its way) counts as frozen, since nothing in it can fork.
   */
  static boolean cgroupFrozen(Cgroup cgroup, long deadlineNanos) {
    int fd;
    try {
      fd = Fds.open(cgroup.eventsFile().toString(), Flags.O_RDONLY);
    } catch (OsException e) {
      if (Cgroup.gone(e)) return true;
      throw e;
    }
    try {
      for (; ; ) {
        var now = Fds.tryPreadAll(fd, 256);
        if (now.isEmpty() || Cgroup.frozen(now.get())) return true;
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) return false;
        poll(new int[] {fd}, Flags.POLLPRI, millisUntil(deadlineNanos));
      }
    } finally {
      Fds.close(fd);
    }
  }

  static int millisUntil(long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    return left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000));
  }
}
