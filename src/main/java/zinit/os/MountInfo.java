package zinit.os;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One line of /proc/self/mountinfo: what of a filesystem is mounted where.
 *
 * @param root the mounted filesystem's directory that the mount shows (a sub-tree for a bind or
 *     a container's cgroup mount), e.g. "/" or "/kubepods/pod1"
 * @param point where it is mounted, e.g. /sys/fs/cgroup
 * @param type the filesystem type, e.g. cgroup2
 * @param superOptions the filesystem's own options (for a v1 cgroup mount: its controllers)
 */
record MountInfo(String root, Path point, String type, String superOptions) {

  /** The lines of {@code text} (a mountinfo), with octal escapes undone; malformed lines skipped. */
  static List<MountInfo> parse(String text) {
    List<MountInfo> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      int dash = line.indexOf(" - ");
      if (dash < 0) continue;
      String[] before = line.substring(0, dash).split(" ");
      String[] after = line.substring(dash + 3).split(" ");
      if (before.length < 5) continue;
      out.add(new MountInfo(unescape(before[3]), Path.of(unescape(before[4])), after[0], after.length > 2 ? after[2] : ""));
    }
    return out;
  }

  /**
   * The directory under this mount of a path as the filesystem itself names it (a cgroup as
   * /proc/self/cgroup shows it), or empty when that path is outside the mounted sub-tree.
   */
  Optional<Path> dirOf(String path) {
    String rel;
    if (root.equals("/")) rel = path;
    else if (path.equals(root) || path.startsWith(root + "/")) rel = path.substring(root.length());
    else return Optional.empty();
    return Optional.of(rel.isEmpty() || rel.equals("/") ? point : point.resolve(rel.substring(1)));
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
