package zinit.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * As the machine's init: the kernel's filesystems that every program expects, mounted where
 * nothing is mounted yet, as systemd does first thing at boot. A VM booted without an initramfs
 * (a microVM's {@code init=/sbin/zinit}) starts init with at most /dev: without /proc zinit could
 * see no process, and without a cgroup2 mount it could track services only by process group.
 * With an initramfs (Debian's moves its /proc, /sys, /dev and /run to the real root) only what
 * it left out is mounted, e.g. cgroup2. As PID 1 of a PID namespace that has /proc (a container,
 * `unshare -p --mount-proc`) nothing is done: those mounts belong to whoever made it. A mount that
 * fails is reported and boot goes on.
 */
public final class ApiMounts {
  private ApiMounts() {}

  private static final long MS_NOSUID = 2;
  private static final long MS_NODEV = 4;
  private static final long MS_NOEXEC = 8;
  private static final long MS_STRICTATIME = 1L << 24;

  /** One filesystem; {@code data} is its options string, or null. */
  private record Api(String source, String target, String type, long flags, String data) {}

  /** In mount order: a parent before what is mounted under it. */
  private static final List<Api> TABLE =
      List.of(
          new Api("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, null),
          new Api("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_STRICTATIME, "mode=0755"),
          new Api("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=0620,gid=5"),
          new Api("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=1777"),
          new Api("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=0755"),
          new Api("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, null));

  private static final Api PROC = new Api("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, null);

  /**
   * As PID 1 (else nothing): mounts /proc when it is missing, then each of {@link #TABLE} whose mount point has nothing
   * mounted on it (cgroup2: when no cgroup2 is mounted anywhere, as on a hybrid host it is at
   * /sys/fs/cgroup/unified). Each mount made, or failed, is one line to {@code log}.
   */
  public static void mountMissing(Consumer<String> log) {
    if (Libc.getpid() != 1) return;
    if (!Files.exists(Path.of("/proc/self/mountinfo"))) {
      // Nobody has set this system up: a VM booted without an initramfs (or a namespace made so)
      if (!mount(PROC, log)) return;
    } else if (!initialPidNamespace()) {
      // PID 1 of a PID namespace whose /proc someone made: its mounts are theirs (they may be the
      // host's own, where a tmpfs on /run would hide the host's)
      return;
    }
    Optional<String> mountinfo = ProcFs.read(Path.of("/proc/self/mountinfo"));
    if (mountinfo.isEmpty()) {
      log.accept("cannot read /proc/self/mountinfo: the kernel's filesystems are left as they are");
      return;
    }
    Set<String> points = new HashSet<>();
    Set<String> types = new HashSet<>();
    for (MountInfo m : MountInfo.parse(mountinfo.get())) {
      points.add(m.point().toString());
      types.add(m.type());
    }
    for (Api api : TABLE) {
      if (points.contains(api.target())) continue;
      if (api.type().equals("cgroup2") && types.contains("cgroup2")) continue;
      if (mount(api, log)) points.add(api.target());
    }
  }

  /** The inode of the initial PID namespace's nsfs file (the kernel's PROC_PID_INIT_INO). */
  private static final long INITIAL_PID_NS = 0xEFFFFFFCL;

  /** Whether this process is in the machine's own PID namespace, not one made under it. */
  static boolean initialPidNamespace() {
    try {
      Object ino = Files.getAttribute(Path.of("/proc/self/ns/pid"), "unix:ino");
      return ino instanceof Number n && n.longValue() == INITIAL_PID_NS;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean mount(Api api, Consumer<String> log) {
    Path target = Path.of(api.target());
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      log.accept("cannot mount " + api.type() + " on " + target + ": cannot create it (" + e + ")");
      return false;
    }
    try (Arena arena = Arena.ofConfined()) {
      Libc.Ret r =
          Libc.mount(
              arena.allocateFrom(api.source()),
              arena.allocateFrom(api.target()),
              arena.allocateFrom(api.type()),
              api.flags(),
              api.data() == null ? MemorySegment.NULL : arena.allocateFrom(api.data()));
      if (r.failed()) {
        log.accept("cannot mount " + api.type() + " on " + target + ": "
            + new OsException("mount", r.errno()).getMessage());
        return false;
      }
    }
    log.accept("mounted " + api.type() + " on " + target + " (it was missing)");
    return true;
  }
}
