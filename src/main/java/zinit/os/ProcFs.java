package zinit.os;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
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
    return read("/proc/" + pid + "/stat", true).map(s -> parseStat(pid, s));
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
    return read("/proc/" + pid + "/statm", true)
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

  /** Looks up the five fields it needs rather than splitting ~55 lines (this is on the stop path). */
  static Signals parseSignals(String status) {
    return new Signals(
        (int) field(status, "\nThreads:", 10),
        (int) field(status, "\nTracerPid:", 10),
        field(status, "\nSigBlk:", 16),
        field(status, "\nSigIgn:", 16),
        field(status, "\nSigCgt:", 16));
  }

  /** This process's effective capabilities (CapEff of /proc/self/status), a bit per capability; 0 unread. */
  static long effectiveCapabilities() {
    return read(PROC.resolve("self/status")).map(status -> field(status, "\nCapEff:", 16)).orElse(0L);
  }

  /** {@code line} is the field's name with the newline before it (none of these is the first line). */
  private static long field(String status, String line, int radix) {
    int at = status.indexOf(line);
    if (at < 0) throw new IllegalStateException("/proc/<pid>/status without " + line.substring(1));
    int from = at + line.length();
    int end = status.indexOf('\n', from);
    return Long.parseUnsignedLong(status.substring(from, end < 0 ? status.length() : end).trim(), radix);
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

  /**
   * The text of a small /proc or cgroup file (truncated at {@code max} bytes), for the stop path:
   * java.io's open and read cost a tenth of java.nio's or a downcall's while the code runs
   * interpreted, which the rarely run stop path always does. Empty when the file is gone (the
   * process or cgroup ended; found by checking, on that rare path, that the file is not there);
   * any other failure is thrown.
   */
  static Optional<String> readSmall(String path, int max) {
    byte[] buf = new byte[max];
    int n = readStart(path, buf);
    return n < 0 ? Optional.empty() : Optional.of(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
  }

  /**
   * As {@link #readSmall}, into {@code buf} and without a String: how many bytes were read (at most
   * the buffer's length), or -1 when the file is gone. For the stop path's few small files, where
   * a fresh zinit runs every call interpreted.
   */
  static int readStart(String path, byte[] buf) {
    try (FileInputStream in = new FileInputStream(path)) {
      int n = 0;
      while (n < buf.length) {
        int r = in.read(buf, n, buf.length - n);
        if (r <= 0) break;
        boolean shortRead = r < buf.length - n; // these files fill a read as far as they can: the end
        n += r;
        if (shortRead) break;
      }
      return n;
    } catch (IOException e) {
      // ENOENT at open; ESRCH (process reaped) or ENODEV (cgroup removed) at read.
      if (!new File(path).exists()) return -1;
      throw new UncheckedIOException("reading " + path, e);
    }
  }

  /** Whether {@code text[0, n)} starts with {@code prefix} (ASCII). */
  static boolean startsWith(byte[] text, int n, byte[] prefix) {
    if (n < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) if (text[i] != prefix[i]) return false;
    return true;
  }

  /**
   * The whole file, or empty when it is gone (ENOENT; ESRCH when the process exited between open
   * and read). open/read/close straight through libc: metrics read hundreds of these small files
   * per scrape, and this costs a fraction of a java.nio channel.
   */
  static Optional<String> read(Path file) {
    return read(file.toString(), false);
  }

  /**
   * As {@link #read(Path)}. {@code shortLines}: the file is made of lines far shorter than 1 KiB
   * (statm, stat, cpu.stat, cgroup.procs), so a read that leaves more than that of the buffer
   * unfilled has reached the end (such files fill a read with as many whole lines as fit): one
   * read call instead of two.
   */
  static Optional<String> read(String file, boolean shortLines) {
    if (3 * file.length() + 1 > PATH_ROOM) {
      try (Arena arena = Arena.ofConfined()) {
        return read(arena.allocateFrom(file), arena.allocate(READ_CHUNK), shortLines);
      }
    }
    Scratch s = SCRATCH.get();
    s.path.setString(0, file);
    return read(s.path, s.buf, shortLines);
  }

  private static Optional<String> read(MemorySegment path, MemorySegment buf, boolean shortLines) {
    int fd = Libc.open(path, Flags.O_RDONLY | Flags.O_CLOEXEC, 0).asInt();
    if (fd < 0) return Optional.empty();
    try {
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
        if (shortLines && n < READ_CHUNK - 1024) break;
      }
      return Optional.of(new String(out, 0, length, StandardCharsets.UTF_8));
    } finally {
      Libc.close(fd);
    }
  }

  /** A thread's path and read buffers, reused read after read (metrics read hundreds per scrape). */
  private static final class Scratch {
    final MemorySegment path;
    final MemorySegment buf;

    Scratch() {
      MemorySegment all = Arena.ofAuto().allocate(PATH_ROOM + READ_CHUNK);
      path = all.asSlice(0, PATH_ROOM);
      buf = all.asSlice(PATH_ROOM, READ_CHUNK);
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
  private static final int PATH_ROOM = 1024;
  private static final int READ_CHUNK = 4096;
}
