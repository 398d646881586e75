package zinit.os;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** One cgroup v2 directory that zinit created, and the control files it uses. */
final class Cgroup {
  private final Path dir;
  private final String procPath;
  // As strings, ready for ProcFs.readSmall on the stop path.
  final String procsFile;
  final String statFile;
  final String eventsPath;
  private final String cpuStatPath;

  Cgroup(Path dir, String procPath) {
    this.dir = dir;
    this.procPath = procPath;
    String d = dir.toString();
    this.procsFile = d + "/cgroup.procs";
    this.statFile = d + "/cgroup.stat";
    this.eventsPath = d + "/cgroup.events";
    this.cpuStatPath = d + "/cpu.stat";
  }

  /** mkdir; false when the name is taken (EEXIST). */
  static Optional<Cgroup> tryCreate(Path dir, String procPath) {
    try {
      Files.createDirectory(dir);
      return Optional.of(new Cgroup(dir, procPath));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("mkdir " + dir, e);
    }
  }

  Path dir() {
    return dir;
  }

  /** How /proc/<pid>/cgroup names this cgroup (after "0::"). */
  String procPath() {
    return procPath;
  }

  /** Whether a /proc/<pid>/cgroup path names this cgroup or one below it. */
  boolean contains(String procCgroupPath) {
    if (procCgroupPath.equals(procPath)) return true;
    String prefix = procPath.equals("/") ? "/" : procPath + "/";
    return procCgroupPath.startsWith(prefix);
  }

  Cgroup child(String name) {
    return new Cgroup(dir.resolve(name), procPath.equals("/") ? "/" + name : procPath + "/" + name);
  }

  /** Pids in this cgroup (not its children); empty once removed. */
  List<Integer> procs() {
    List<Integer> out = new ArrayList<>();
    ProcFs.read(procsFile, true)
        .ifPresent(
            s -> {
              for (String line : s.split("\n")) if (!line.isBlank()) out.add(Integer.parseInt(line.trim()));
            });
    return out;
  }

  /** Pids in this cgroup and every cgroup below it. */
  List<Integer> procsRecursive() {
    List<Integer> out = new ArrayList<>(procs());
    for (Cgroup c : children()) out.addAll(c.procsRecursive());
    return out;
  }

  List<Cgroup> children() {
    List<Cgroup> out = new ArrayList<>();
    try (var stream = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path p : stream) out.add(child(p.getFileName().toString()));
    } catch (NoSuchFileException e) {
      return out; // removed meanwhile
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + dir, e);
    }
    return out;
  }

  /** "populated" from cgroup.events text. */
  static boolean populated(String events) {
    for (String line : events.split("\n")) {
      if (line.startsWith("populated ")) return !line.substring(10).trim().equals("0");
    }
    throw new IllegalStateException("cgroup.events without populated: " + events);
  }

  /** "frozen" from cgroup.events text (false when the kernel does not report it). */
  static boolean frozen(String events) {
    for (String line : events.split("\n")) {
      if (line.startsWith("frozen ")) return line.substring(7).trim().equals("1");
    }
    return false;
  }

  Path eventsFile() {
    return dir.resolve("cgroup.events");
  }

  /** SIGKILLs every process in this cgroup and below, atomically with respect to forks. False
   * when the kernel has no cgroup.kill (before 5.14). */
  boolean tryKill() {
    Path kill = dir.resolve("cgroup.kill");
    if (!Files.exists(kill)) return false;
    write(kill, "1");
    return true;
  }

  void freeze(boolean frozen) {
    Fds.writeFile(dir.resolve("cgroup.freeze").toString(), frozen ? "1" : "0");
  }

  /** {@link #freeze}, false (with nothing changed) when the cgroup is already gone. */
  boolean tryFreeze(boolean frozen) {
    try {
      freeze(frozen);
      return true;
    } catch (OsException e) {
      if (gone(e)) return false;
      throw e;
    }
  }

  /**
   * Whether a control-file call failed because the cgroup was removed meanwhile: ENOENT at open,
   * ENODEV at read or write through an fd opened before the rmdir. Both mean: empty, and nothing
   * left to do.
   */
  static boolean gone(OsException e) {
    return e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV;
  }

  /** Whether a process is in this cgroup or below, read now; false once the cgroup is removed. */
  boolean populatedNow() {
    byte[] buf = new byte[256];
    int n = ProcFs.readStart(eventsPath, buf);
    return n >= 0 && populated(buf, n);
  }

  private static final byte[] POPULATED = "populated ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** As {@link #populated(String)}, from the bytes of cgroup.events (its first line, in practice). */
  static boolean populated(byte[] events, int n) {
    for (int line = 0; line < n; ) {
      int end = line;
      while (end < n && events[end] != '\n') end++;
      if (end - line > POPULATED.length && matches(events, line, POPULATED)) return events[line + POPULATED.length] != '0';
      line = end + 1;
    }
    throw new IllegalStateException(
        "cgroup.events without populated: " + new String(events, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static boolean matches(byte[] text, int at, byte[] word) {
    for (int i = 0; i < word.length; i++) if (text[at + i] != word[i]) return false;
    return true;
  }

  /** usage_usec from cpu.stat, when the file exists. */
  OptionalLong cpuUsageMicros() {
    Optional<String> stat = ProcFs.read(cpuStatPath, true);
    if (stat.isEmpty()) return OptionalLong.empty();
    for (String line : stat.get().split("\n")) {
      if (line.startsWith("usage_usec ")) return OptionalLong.of(Long.parseLong(line.substring(11).trim()));
    }
    return OptionalLong.empty();
  }

  /**
   * rmdir of this cgroup and its (empty) children; false, with the reason in {@code why}, when
   * one is still populated (EBUSY). Already gone counts as removed.
   */
  boolean tryRemove(List<String> why) {
    // One rmdir(2) in the common case (no sub-cgroups); EBUSY: children to remove first.
    try (var arena = java.lang.foreign.Arena.ofConfined()) {
      Libc.Ret r = Libc.rmdir(arena.allocateFrom(dir.toString()));
      if (!r.failed() || r.errno() == Errno.ENOENT) return true;
      if (r.errno() != Errno.EBUSY) {
        why.add(new OsException("rmdir(" + dir + ")", r.errno()).getMessage());
        return false;
      }
    }
    boolean ok = true;
    for (Cgroup c : children()) ok &= c.tryRemove(why);
    try {
      Files.deleteIfExists(dir);
    } catch (FileSystemException e) {
      why.add("rmdir " + dir + ": " + e.getReason());
      return false;
    } catch (IOException e) {
      why.add("rmdir " + dir + ": " + e);
      return false;
    }
    return ok;
  }

  private static void write(Path file, String value) {
    try {
      Files.writeString(file, value, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("write " + file, e);
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
