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

  /**
   * What /proc/<pid>/status says about how the process takes signals: masks with bit (n - 1) for
   * signal n; {@code blocked} is the main thread's.
   */
  record Signals(int threads, int tracerPid, long blocked, long ignored, long caught) {
    /** Whether {@code signal} is neither blocked, ignored nor caught (its default action applies). */
    boolean takesDefault(int signal) {
      long bit = 1L << (signal - 1);
      return ((blocked | ignored | caught) & bit) == 0;
    }
  }

  static Optional<Signals> signals(int pid) {
    return read(PROC.resolve(Integer.toString(pid)).resolve("status")).map(ProcFs::parseSignals);
  }

  static Signals parseSignals(String status) {
    int threads = 0;
    int tracer = 0;
    long blocked = 0;
    long ignored = 0;
    long caught = 0;
    for (String line : status.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      String value = line.substring(colon + 1).trim();
      switch (line.substring(0, colon)) {
        case "Threads" -> threads = Integer.parseInt(value);
        case "TracerPid" -> tracer = Integer.parseInt(value);
        case "SigBlk" -> blocked = Long.parseUnsignedLong(value, 16);
        case "SigIgn" -> ignored = Long.parseUnsignedLong(value, 16);
        case "SigCgt" -> caught = Long.parseUnsignedLong(value, 16);
        default -> {}
      }
    }
    return new Signals(threads, tracer, blocked, ignored, caught);
  }

  /**
   * Whether any thread of the process has a child (/proc/<pid>/task/<tid>/children); false when
   * the process is gone (its children, if any, were re-parented), true when it cannot be told.
   */
  static boolean hasChildren(int pid) {
    Path tasks = PROC.resolve(Integer.toString(pid)).resolve("task");
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
      for (Path task : dir) {
        if (read(task.resolve("children")).map(s -> !s.isBlank()).orElse(false)) return true;
      }
    } catch (NoSuchFileException e) {
      return false; // reaped
    } catch (IOException e) {
      return true; // unknown: the caller takes its careful path
    }
    return false;
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
