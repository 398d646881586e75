package zinit.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a running zinit leaves on disk so that the next zinit of the same socket can clean up
 * after it when it dies without a shutdown (kill -9, the OOM killer, a JVM crash): a state file
 * next to the socket ({@code <socket>.state}, 0600) naming zinit's pid and start time, its base
 * cgroup and, without cgroups, the main process of every unit; and, with cgroups, the same
 * identity as an extended attribute ({@value #MARKER}) on the base cgroup, which only a process
 * allowed to write that cgroup can set.
 *
 * <p>File format, one record a line: {@code zinit PID STARTTIME SOCKET}, {@code cgroup DIR},
 * {@code unit PID STARTTIME NAME}.
 */
final class InstanceState {
  static final String MARKER = "user.zinit.instance";
  /** The marker's name as the JDK's view spells it (it adds the "user." namespace). */
  private static final String XATTR = MARKER.substring("user.".length());

  /** A zinit process; the start time tells it from a later process that got the same pid. */
  record Owner(int pid, long starttime, String socket) {
    static Owner self(Path socket) {
      int pid = Libc.getpid();
      long start = ProcFs.stat(pid).orElseThrow(() -> new IllegalStateException("/proc/self/stat unreadable")).starttime();
      return new Owner(pid, start, normalize(socket));
    }

    static Optional<Owner> parse(String text) {
      String[] f = text.strip().split(" ", 3);
      if (f.length != 3) return Optional.empty();
      try {
        return Optional.of(new Owner(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2]));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }

    String format() {
      return pid + " " + starttime + " " + socket;
    }

    /** Whether that very process still runs (a zombie has lost its socket and its units: dead). */
    boolean alive() {
      return ProcFs.stat(pid).filter(s -> s.starttime() == starttime && s.state() != 'Z' && s.state() != 'X').isPresent();
    }
  }

  /** The main process of a unit tracked without cgroups. */
  record Unit(int pid, long starttime, String name) {}

  /** A state file as read back. */
  record Saved(Owner owner, Optional<Path> cgroup, List<Unit> units) {}

  private final Path file;
  private final Owner self;
  private final Consumer<String> log;
  private Path cgroup; // guarded by this
  private final Map<Integer, Unit> units = new LinkedHashMap<>(); // guarded by this
  private boolean failed; // guarded by this: one log line, not one per write

  InstanceState(Path socket, Owner self, Consumer<String> log) {
    this.file = fileFor(socket);
    this.self = self;
    this.log = log;
  }

  static Path fileFor(Path socket) {
    return Path.of(normalize(socket) + ".state");
  }

  static String normalize(Path socket) {
    return socket.toAbsolutePath().normalize().toString();
  }

  synchronized void cgroup(Path dir) {
    cgroup = dir;
    write();
  }

  synchronized void add(Unit unit) {
    units.put(unit.pid(), unit);
    write();
  }

  synchronized void remove(int pid) {
    if (units.remove(pid) != null) write();
  }

  /** At a clean exit: nothing is left for a successor to clean up. */
  synchronized void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.accept("cannot remove " + file + ": " + e.getMessage());
    }
  }

  synchronized void write() {
    StringBuilder b = new StringBuilder("zinit ").append(self.format()).append('\n');
    if (cgroup != null) b.append("cgroup ").append(cgroup).append('\n');
    for (Unit u : units.values()) b.append("unit ").append(u.pid()).append(' ').append(u.starttime()).append(' ').append(u.name()).append('\n');
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, b);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      failed = false;
    } catch (IOException e) {
      // Crash recovery is best effort; zinit serves on without it.
      if (!failed) log.accept("cannot write " + file + " (crash recovery will not see this zinit's units): " + e);
      failed = true;
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException alsoFailed) {
        // the next write tries again
      }
    }
  }

  /** The state file of {@code socket}, or empty when there is none or it is not one. */
  static Optional<Saved> read(Path socket) {
    return read(socket, message -> {});
  }

  /**
   * As {@link #read(Path)}, and only a file as zinit writes it: regular (not a link, not a FIFO),
   * owned by zinit's own user, writable by no one else. Whoever can write beside the socket (a
   * socket in /tmp) could otherwise name any process for crash recovery to SIGKILL, or hang the
   * start with a FIFO. A file refused is logged and left in place (the next write replaces it).
   */
  static Optional<Saved> read(Path socket, Consumer<String> log) {
    Path file = fileFor(socket);
    Map<String, Object> attrs;
    try {
      attrs = Files.readAttributes(file, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      log.accept("crash recovery: " + file + " ignored: " + e);
      return Optional.empty();
    }
    int mode = (Integer) attrs.get("mode");
    int uid = (Integer) attrs.get("uid");
    String why = (mode & 0170000) != 0100000 ? "not a regular file"
        : uid != Libc.geteuid() ? "owned by uid " + uid + ", not by zinit's " + Libc.geteuid()
        : (mode & 0022) != 0 ? "writable by others (mode " + Integer.toOctalString(mode & 07777) + ")"
        : null;
    if (why != null) {
      log.accept("crash recovery: " + file + " ignored: " + why + "; zinit writes it itself, 0600");
      return Optional.empty();
    }
    Optional<String> text = ProcFs.read(file);
    if (text.isEmpty()) return Optional.empty();
    Owner owner = null;
    Path cgroup = null;
    List<Unit> units = new ArrayList<>();
    for (String line : text.get().split("\n")) {
      String[] f = line.split(" ", 2);
      if (f.length != 2) continue;
      switch (f[0]) {
        case "zinit" -> owner = Owner.parse(f[1]).orElse(null);
        case "cgroup" -> cgroup = Path.of(f[1]);
        case "unit" -> {
          String[] u = f[1].split(" ", 3);
          try {
            if (u.length == 3) units.add(new Unit(Integer.parseInt(u[0]), Long.parseLong(u[1]), u[2]));
          } catch (NumberFormatException e) {
            // a damaged line names no process we could prove is a unit
          }
        }
        default -> {}
      }
    }
    return owner == null ? Optional.empty() : Optional.of(new Saved(owner, Optional.ofNullable(cgroup), units));
  }

  /** Sets the marker on a base cgroup; false when the file system keeps no user xattrs. */
  static boolean mark(Path dir, Owner owner) {
    try {
      view(dir).write(XATTR, ByteBuffer.wrap(owner.format().getBytes(StandardCharsets.UTF_8)));
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** The marker of a cgroup, or empty when it has none (not a zinit's) or it cannot be read. */
  static Optional<Owner> marker(Path dir) {
    try {
      UserDefinedFileAttributeView view = view(dir);
      if (!view.list().contains(XATTR)) return Optional.empty();
      ByteBuffer buf = ByteBuffer.allocate(Math.min(view.size(XATTR), 8192));
      view.read(XATTR, buf);
      return Owner.parse(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  private static UserDefinedFileAttributeView view(Path dir) throws IOException {
    UserDefinedFileAttributeView v = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class);
    if (v == null) throw new IOException("no user xattrs on " + dir);
    return v;
  }
}
