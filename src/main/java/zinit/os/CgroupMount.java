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
    for (String line : mountinfo.split("\n")) {
      int dash = line.indexOf(" - ");
      if (dash < 0) continue;
      String[] after = line.substring(dash + 3).split(" ");
      if (!after[0].equals("cgroup2")) continue;
      String[] before = line.substring(0, dash).split(" ");
      String root = unescape(before[3]);
      Path mount = Path.of(unescape(before[4]));
      // A mount of a sub-tree (containers) shows our path relative to the namespace root, which
      // is the mount root when the namespace was made there.
      String rel;
      if (root.equals("/")) rel = ownPath;
      else if (ownPath.equals(root) || ownPath.startsWith(root + "/")) rel = ownPath.substring(root.length());
      else continue;
      Path dir = rel.isEmpty() || rel.equals("/") ? mount : mount.resolve(rel.substring(1));
      return Optional.of(new CgroupMount(mount, dir, ownPath));
    }
    return Optional.empty();
  }

  /** Turns a directory under the mount into the path /proc/<pid>/cgroup would show. */
  String procPathOf(Path dir) {
    Path rel = ownDir.relativize(dir);
    String base = ownPath.equals("/") ? "" : ownPath;
    return base + "/" + rel.toString();
  }

  /** A mountinfo field with its octal escapes (\040 for a space) undone. */
  static String unescape(String s) {
    if (!s.contains("\\")) return s;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
