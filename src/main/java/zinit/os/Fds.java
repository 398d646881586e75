package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** File descriptor chores with their errors handled in one place. */
final class Fds {
  private Fds() {}

  /** close(2). EINTR still closes the fd on Linux, so it is not retried (that could close another). */
  static void close(int fd) {
    Libc.Ret r = Libc.close(fd);
    if (r.failed() && r.errno() != Errno.EINTR) throw new OsException("close(" + fd + ")", r.errno());
  }

  /** A pipe, both ends close-on-exec: {read, write}. */
  static int[] pipe() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
      Libc.pipe2(fds, Flags.O_CLOEXEC).orThrow("pipe2");
      return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
    }
  }

  /** open(2) with O_CLOEXEC. */
  static int open(String path, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      return Libc.open(arena.allocateFrom(path), flags | Flags.O_CLOEXEC, 0)
          .asIntOrThrow("open(" + path + ")");
    }
  }

  /** Reads a small file-like fd from offset 0 (cgroup.events); EINTR retried. */
  static String preadAll(int fd, int max) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(max);
      for (; ; ) {
        Libc.Ret r = Libc.pread(fd, buf, max, 0);
        if (r.failed() && r.errno() == Errno.EINTR) continue;
        long n = r.orThrow("pread(" + fd + ")");
        return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
      }
    }
  }
}
