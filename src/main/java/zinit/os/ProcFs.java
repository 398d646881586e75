package zinit.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Readers for /proc. Every reader tolerates the process vanishing between listing and reading
 * (the answer is then "gone"), because that is the normal case for a supervisor.
 */
final class ProcFs {
  private ProcFs() {}

  static final Path PROC = Path.of("/proc");
  /** sysconf values, read when stats first need them rather than with the first /proc read. */
  static final class Units {
    private Units() {}

    static final long PAGE_SIZE = Libc.sysconf(Flags.SC_PAGESIZE).orThrow("sysconf(_SC_PAGESIZE)");
    static final long CLK_TCK = Libc.sysconf(Flags.SC_CLK_TCK).orThrow("sysconf(_SC_CLK_TCK)");
  }

  /** The fields of /proc/<pid>/stat we use; times in clock ticks. */
  record Stat(int pid, char state, int ppid, int pgid, int sid, long utime, long stime, long starttime) {
    boolean zombie() {
      return state == 'Z' || state == 'X';
    }

    /** Identity that survives pid reuse: a reused pid has a later start time. */
    Key key() {
      return new Key(pid, starttime);
    }
  }

  record Key(int pid, long starttime) {}

  static Optional<Stat> stat(int pid) {
    return read(PROC.resolve(Integer.toString(pid)).resolve("stat")).map(s -> parseStat(pid, s));
  }

  /** Parses a stat line; the command may contain spaces and parentheses, so split after the last ')'. */
  static Stat parseStat(int pid, String line) {
    String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
    return new Stat(
        pid,
        f[0].charAt(0),
        Integer.parseInt(f[1]),
        Integer.parseInt(f[2]),
        Integer.parseInt(f[3]),
        Long.parseLong(f[11]),
        Long.parseLong(f[12]),
        Long.parseLong(f[19]));
  }

  /** Resident set size in bytes, or 0 when the process is gone. */
  static long rssBytes(int pid) {
    return read(PROC.resolve(Integer.toString(pid)).resolve("statm"))
        .map(s -> Long.parseLong(s.trim().split(" ")[1]) * Units.PAGE_SIZE)
        .orElse(0L);
  }

  /** The process's cgroup v2 path ("0::" line), or empty when gone. */
  static Optional<String> cgroupOf(int pid) {
    return read(PROC.resolve(Integer.toString(pid)).resolve("cgroup")).flatMap(ProcFs::v2Path);
  }

  static Optional<String> v2Path(String procCgroup) {
    for (String line : procCgroup.split("\n")) {
      if (line.startsWith("0::")) return Optional.of(line.substring(3).trim());
    }
    return Optional.empty();
  }

  /** Every process's stat; processes that vanish while listing are left out. */
  static List<Stat> all() {
    List<Stat> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
        stat(Integer.parseInt(name)).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("listing /proc", e);
    }
    return out;
  }

  /** Seconds since boot (/proc/uptime). */
  static double uptimeSeconds() {
    return read(PROC.resolve("uptime"))
        .map(s -> Double.parseDouble(s.trim().split(" ")[0]))
        .orElseThrow(() -> new IllegalStateException("/proc/uptime unreadable"));
  }

  /**
   * The whole file, or empty when it is gone (ENOENT; ESRCH when the process exited between open
   * and read). open/read/close straight through libc: metrics read hundreds of these small files
   * per scrape, and this costs a fraction of a java.nio channel.
   */
  static Optional<String> read(Path file) {
    try (Arena arena = Arena.ofConfined()) {
      int fd = Libc.open(arena.allocateFrom(file.toString()), Flags.O_RDONLY | Flags.O_CLOEXEC, 0).asInt();
      if (fd < 0) return Optional.empty();
      try {
        MemorySegment buf = arena.allocate(READ_CHUNK);
        byte[] out = new byte[0];
        int length = 0;
        for (; ; ) {
          Libc.Ret r = Libc.read(fd, buf, READ_CHUNK);
          if (r.failed()) {
            if (r.errno() == Errno.EINTR) continue;
            return Optional.empty();
          }
          int n = r.asInt();
          if (n == 0) break;
          if (length + n > out.length) out = java.util.Arrays.copyOf(out, Math.max(2 * out.length, length + n));
          MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, out, length, n);
          length += n;
        }
        return Optional.of(new String(out, 0, length, StandardCharsets.UTF_8));
      } finally {
        Libc.close(fd);
      }
    }
  }

  private static final int READ_CHUNK = 4096;
}
