package zinit.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * zinit's own limit on open files (RLIMIT_NOFILE). Raised at start so that clients and services
 * cannot starve zinit of fds as easily as under a distribution's default soft limit of 1024.
 */
public final class FdLimit {
  private FdLimit() {}

  private static final Path NR_OPEN = Path.of("/proc/sys/fs/nr_open");
  private static final long ROOT_SOFT = 65536;

  /**
   * Raises the soft limit to the hard one; as root also the hard one, to the kernel's maximum
   * ({@code fs.nr_open}), with the soft one at least 65536. Best effort: a refusal is logged and
   * the old limit kept. Services inherit the raised limit.
   *
   * @return the soft limit in effect afterwards
   */
  public static long raise(Consumer<String> log) {
    long[] now = get();
    long soft = now[0];
    long hard = now[1];
    if (Libc.geteuid() == 0) {
      long max = nrOpen();
      if (max > hard) {
        long wanted = Math.max(hard, Math.min(max, ROOT_SOFT));
        if (trySet(wanted, max, log)) return wanted;
      }
    }
    if (soft < hard && trySet(hard, hard, log)) return hard;
    return soft;
  }

  /** {soft, hard}; RLIM_INFINITY (all bits set) comes back as Long.MAX_VALUE. */
  public static long[] get() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment rlim = arena.allocate(ValueLayout.JAVA_LONG, 2);
      Libc.getrlimit(Flags.RLIMIT_NOFILE, rlim).orThrow("getrlimit(RLIMIT_NOFILE)");
      return new long[] {unsigned(rlim.getAtIndex(ValueLayout.JAVA_LONG, 0)), unsigned(rlim.getAtIndex(ValueLayout.JAVA_LONG, 1))};
    }
  }

  private static boolean trySet(long soft, long hard, Consumer<String> log) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment rlim = arena.allocate(ValueLayout.JAVA_LONG, 2);
      rlim.setAtIndex(ValueLayout.JAVA_LONG, 0, soft);
      rlim.setAtIndex(ValueLayout.JAVA_LONG, 1, hard);
      Libc.Ret r = Libc.setrlimit(Flags.RLIMIT_NOFILE, rlim);
      if (r.failed()) {
        log.accept("cannot raise the open-files limit to " + soft + ": setrlimit(RLIMIT_NOFILE): " + Errno.describe(r.errno()));
        return false;
      }
      return true;
    }
  }

  private static long nrOpen() {
    try {
      // readAllLines, not readString: procfs reports a size of 0 and readString trusts it
      return Long.parseLong(Files.readAllLines(NR_OPEN).getFirst().strip());
    } catch (IOException | NumberFormatException e) {
      return 0; // not Linux as we know it: keep the hard limit
    }
  }

  private static long unsigned(long v) {
    return v < 0 ? Long.MAX_VALUE : v;
  }
}
