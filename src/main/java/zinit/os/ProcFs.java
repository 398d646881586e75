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

  /** Whether the kernel lists each thread's children (CONFIG_PROC_CHILDREN, Linux 3.5+). */
  static final boolean HAS_CHILDREN_FILES = Files.exists(PROC.resolve("thread-self/children"));

  /**
   * The children of every thread of {@code pid} (a child belongs to the thread that forked it),
   * from /proc/<pid>/task/<tid>/children; empty when the process is gone. Costs a read per
   * thread of {@code pid} instead of one per process on the machine, as {@link #all} does.
   * A child forked or reaped during the read may be missed: callers scan again until nothing new
   * turns up. Only when {@link #HAS_CHILDREN_FILES}.
   */
  static List<Integer> children(int pid) {
    List<Integer> out = new ArrayList<>();
    Path tasks = PROC.resolve(Integer.toString(pid)).resolve("task");
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
      for (Path task : dir) {
        read(task.resolve("children"))
            .ifPresent(
                s -> {
                  for (String child : s.trim().split(" ")) if (!child.isEmpty()) out.add(Integer.parseInt(child));
                });
      }
    } catch (IOException e) {
      return out; // the process is gone (ENOENT) or going (ESRCH)
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
