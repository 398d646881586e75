package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** zinit's own process figures, as Prometheus' standard {@code process_*} metrics want them. */
public final class SelfStats {
  private SelfStats() {}

  /**
   * @param startTimeSeconds when this process started, in seconds since the epoch
   */
  public record Figures(long residentBytes, double cpuSeconds, int openFds, double startTimeSeconds) {}

  private static volatile Double bootTime;

  public static Figures read() {
    int pid = Libc.getpid();
    ProcFs.Stat stat =
        ProcFs.stat(pid).orElseThrow(() -> new IllegalStateException("/proc/" + pid + "/stat unreadable"));
    double tck = ProcFs.Units.CLK_TCK;
    return new Figures(
        ProcFs.rssBytes(pid),
        (stat.utime() + stat.stime()) / tck,
        openFds(),
        bootTime() + stat.starttime() / tck);
  }

  /**
   * Entries of /proc/self/fd, counted from getdents64's records without a Path per entry (with
   * a few hundred services, listing it through java.nio was a tenth of a scrape); -1 when
   * unreadable.
   */
  static int openFds() {
    try (Arena arena = Arena.ofConfined()) {
      int fd = Libc.open(arena.allocateFrom("/proc/self/fd"), Flags.O_RDONLY | Flags.O_CLOEXEC, 0).asInt();
      if (fd < 0) return -1;
      try {
        MemorySegment buf = arena.allocate(DIRENTS);
        int n = 0;
        for (; ; ) {
          Libc.Ret r = Libc.getdents64(fd, buf, DIRENTS);
          if (r.failed()) {
            if (r.errno() == Errno.EINTR) continue;
            return -1;
          }
          if (r.value() == 0) break;
          // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]
          for (long at = 0; at < r.value(); at += buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 16) & 0xFFFF) {
            if (!dotEntry(buf, at + 19)) n++;
          }
        }
        return Math.max(0, n - 1); // the descriptor reading the directory
      } finally {
        Libc.close(fd);
      }
    }
  }

  private static final int DIRENTS = 32 * 1024;

  private static boolean dotEntry(MemorySegment buf, long name) {
    if (buf.get(ValueLayout.JAVA_BYTE, name) != '.') return false;
    byte second = buf.get(ValueLayout.JAVA_BYTE, name + 1);
    return second == 0 || (second == '.' && buf.get(ValueLayout.JAVA_BYTE, name + 2) == 0);
  }

  /** btime of /proc/stat: the boot time in seconds since the epoch (it never changes). */
  private static double bootTime() {
    Double b = bootTime;
    if (b != null) return b;
    String stat = ProcFs.read(ProcFs.PROC.resolve("stat")).orElse("");
    for (String line : stat.split("\n")) {
      if (line.startsWith("btime ")) {
        b = Double.parseDouble(line.substring(6).trim());
        bootTime = b;
        return b;
      }
    }
    throw new IllegalStateException("no btime in /proc/stat");
  }
}
