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

  /**
   * Writes {@code value} to an existing control file (cgroup.freeze) in one write(2), the cheap
   * way: this is on the stop path, where java.nio costs tenfold.
   */
  static void writeFile(String path, String value) {
    try (Arena arena = Arena.ofConfined()) {
      int fd =
          Libc.open(arena.allocateFrom(path), Flags.O_WRONLY | Flags.O_CLOEXEC, 0)
              .asIntOrThrow("open(" + path + ")");
      try {
        MemorySegment bytes = arena.allocateFrom(value);
        Libc.Ret r;
        do r = Libc.write(fd, bytes, value.length());
        while (r.failed() && r.errno() == Errno.EINTR);
        r.orThrow("write(" + path + ")");
      } finally {
        close(fd);
      }
    }
  }

  /**
   * {@link #preadAll}, or empty on ENODEV: the fd is a control file of a cgroup removed since it was
   * opened, so there is nothing left to read.
   */
  static java.util.Optional<String> tryPreadAll(int fd, int max) {
    try {
      return java.util.Optional.of(preadAll(fd, max));
    } catch (OsException e) {
      if (e.errno() == Errno.ENODEV) return java.util.Optional.empty();
      throw e;
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
