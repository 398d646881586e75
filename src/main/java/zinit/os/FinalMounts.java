package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * As the machine's init, once every service is gone and before reboot(2): the filesystems left
 * so that the next boot finds them clean, as systemd's shutdown and s6-linux-init leave them.
 * Swap is turned off first. Then each filesystem that stores data is unmounted, innermost first;
 * one that cannot be (the root, or one still in use) is remounted read-only, which writes back
 * and closes its journal. What neither works for stays mounted, synced, and is named in the log.
 *
 * <p>Only in the machine's own PID namespace. PID 1 of a PID namespace made under it (a container,
 * a test's `unshare`) shares its filesystems with the host: a read-only remount there would turn
 * the host's own root read-only, and its mounts are whoever made them's.
 */
public final class FinalMounts {
  private FinalMounts() {}

  /** The kernel's own filesystems and memory-backed ones: nothing of theirs outlives power-off. */
  private static final Set<String> NOTHING_TO_KEEP =
      Set.of(
          "proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "ramfs", "rootfs", "cgroup", "cgroup2",
          "securityfs", "debugfs", "tracefs", "configfs", "pstore", "efivarfs", "bpf", "mqueue",
          "hugetlbfs", "fusectl", "binfmt_misc", "autofs", "rpc_pipefs", "nsfs", "selinuxfs");

  private static final long MS_RDONLY = 1;
  private static final long MS_REMOUNT = 32;

  /** Passes over the mount table: an unmount can free a mount it was on top of or inside. */
  private static final int PASSES = 4;

  /** How long power-off waits for the filesystems to be released (a hung network mount). */
  public static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * {@link #release} on a thread of its own, waited for at most {@link #WAIT}: a hung unmount (an
   * NFS server gone) holds power-off back for that long, not for ever; what is mounted then stays
   * mounted, synced. Without a thread to be had (a full process table) it runs here, unbounded.
   */
  public static void releaseWithin(Consumer<String> log) {
    if (!MachinePower.machineInit()) return; // PID 1 of a namespace: no thread for nothing
    Thread release;
    try {
      release = Thread.ofPlatform().name("zinit-unmount").daemon().start(() -> release(log));
    } catch (OutOfMemoryError e) {
      release(log);
      return;
    }
    try {
      if (!release.join(WAIT)) log.accept("filesystems not released after " + WAIT.toSeconds() + " s: going on, synced");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * As the machine's init (PID 1 in the initial PID namespace; else nothing): unmounts, or
   * remounts read-only, every filesystem that stores data. Each step is one line to {@code log}.
   */
  public static void release(Consumer<String> log) {
    if (!MachinePower.machineInit()) return;
    swapsOff(log);
    for (int pass = 0; pass < PASSES; pass++) {
      boolean progress = false;
      for (MountInfo m : kept(log)) {
        if (m.point().toString().equals("/")) continue;
        if (unmount(m.point())) {
          log.accept("unmounted " + m.point() + " (" + m.type() + ")");
          progress = true;
        }
      }
      if (!progress) break;
    }
    List<MountInfo> left = kept(log);
    for (MountInfo m : left) {
      if (readOnly(m)) continue;
      Optional<String> failed = remountReadOnly(m.point());
      if (failed.isEmpty()) log.accept("remounted " + m.point() + " (" + m.type() + ") read-only");
      else log.accept("left " + m.point() + " (" + m.type() + ") mounted read-write, synced: " + failed.get());
    }
  }

  /**
   * Every swap area turned off (/proc/swaps): a swap file is a file open for writing, and while it
   * is on, its filesystem cannot be remounted read-only (EBUSY), as systemd's shutdown knows.
   */
  private static void swapsOff(Consumer<String> log) {
    Optional<String> swaps = ProcFs.read(Path.of("/proc/swaps"));
    if (swaps.isEmpty()) return;
    List<String> lines = swaps.get().lines().toList();
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) { // after the header
      String[] fields = line.trim().split("\\s+");
      if (fields[0].isEmpty()) continue;
      String path = MountInfo.unescape(fields[0]);
      try (Arena arena = Arena.ofConfined()) {
        Libc.Ret r = Libc.swapoff(arena.allocateFrom(path));
        if (r.failed()) log.accept("swap left on: " + path + ": " + new OsException("swapoff", r.errno()).getMessage());
        else log.accept("swap off: " + path);
      }
    }
  }

  /** The mounts of filesystems that store data, innermost (latest mounted) first. */
  private static List<MountInfo> kept(Consumer<String> log) {
    Optional<String> text = ProcFs.read(Path.of("/proc/self/mountinfo"));
    if (text.isEmpty()) {
      log.accept("cannot read /proc/self/mountinfo: filesystems left mounted, synced");
      return List.of();
    }
    List<MountInfo> out = new ArrayList<>();
    for (MountInfo m : MountInfo.parse(text.get())) {
      if (!NOTHING_TO_KEEP.contains(m.type())) out.add(m);
    }
    return out.reversed();
  }

  private static boolean readOnly(MountInfo m) {
    return Arrays.asList(m.superOptions().split(",")).contains("ro");
  }

  private static boolean unmount(Path point) {
    try (Arena arena = Arena.ofConfined()) {
      return !Libc.umount2(arena.allocateFrom(point.toString()), 0).failed();
    }
  }

  /** Empty when done, else why not. */
  private static Optional<String> remountReadOnly(Path point) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment none = arena.allocateFrom("none");
      Libc.Ret r = Libc.mount(none, arena.allocateFrom(point.toString()), none, MS_REMOUNT | MS_RDONLY, MemorySegment.NULL);
      return r.failed() ? Optional.of(new OsException("mount(MS_REMOUNT|MS_RDONLY)", r.errno()).getMessage()) : Optional.empty();
    }
  }
}
