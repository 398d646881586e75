package zinit.os;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where this process sits in the cgroup v2 hierarchy: the cgroup2 mount from
 * /proc/self/mountinfo and our own cgroup from /proc/self/cgroup, joined into a directory.
 *
 * @param mount where cgroup2 is mounted, e.g. /sys/fs/cgroup/unified
 * @param ownDir our cgroup's directory under the mount
 * @param ownPath our cgroup as /proc/<pid>/cgroup shows it, e.g. "/" or "/system.slice/x"
 */
record CgroupMount(Path mount, Path ownDir, String ownPath) {

  /** The writable v2 hierarchy we live in, or empty with no cgroup2 mount or no permission. */
  static Optional<CgroupMount> find() {
    Optional<String> mountinfo = ProcFs.read(Path.of("/proc/self/mountinfo"));
    Optional<String> own = ProcFs.read(Path.of("/proc/self/cgroup")).flatMap(ProcFs::v2Path);
    if (mountinfo.isEmpty() || own.isEmpty()) return Optional.empty();
    return parse(mountinfo.get(), own.get())
        .filter(m -> Files.isDirectory(m.ownDir()) && Files.isWritable(m.ownDir()))
        .filter(m -> Files.exists(m.ownDir().resolve("cgroup.procs")));
  }

  /** Pure parsing, testable with fixture text. */
  static Optional<CgroupMount> parse(String mountinfo, String ownPath) {
    // A mount of a sub-tree (containers) shows our path relative to the namespace root, which
    // is the mount root when the namespace was made there.
    for (MountInfo m : MountInfo.parse(mountinfo)) {
      if (!m.type().equals("cgroup2")) continue;
      Optional<Path> dir = m.dirOf(ownPath);
      if (dir.isPresent()) return Optional.of(new CgroupMount(m.point(), dir.get(), ownPath));
    }
    return Optional.empty();
  }

  /** Turns a directory under the mount into the path /proc/<pid>/cgroup would show. */
  String procPathOf(Path dir) {
    Path rel = ownDir.relativize(dir);
    String base = ownPath.equals("/") ? "" : ownPath;
    return base + "/" + rel.toString();
  }
}
