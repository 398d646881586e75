package zinit.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

  /**
   * The stat of an unreaped child of ours, which must exist: failing to read it (EMFILE, ...) is
   * an error worth its own message, not "gone".
   */
  static Stat statOfChild(int pid) {
    Path file = PROC.resolve(Integer.toString(pid)).resolve("stat");
    try {
      return parseStat(pid, Files.readString(file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
    }
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

  static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file));
    } catch (NoSuchFileException e) {
      return Optional.empty(); // the process (or cgroup) is gone
    } catch (IOException e) {
      // ESRCH from read: the process exited between open and read, which is also "gone".
      return Optional.empty();
    }
  }
}
