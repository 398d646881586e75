package zinit.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Users and groups from /etc/passwd and /etc/group (files only: zinit may run before any name
 * service is up, as PID 1 at boot). Resolves {@code user:}/{@code group:} of a service file.
 */
final class UserDatabase {
  static final Path PASSWD = Path.of("/etc/passwd");
  static final Path GROUP = Path.of("/etc/group");

  private record User(String name, int uid, int gid, String home) {}

  private record Group(String name, int gid, List<String> members) {}

  private final List<User> users;
  private final List<Group> groups;

  private UserDatabase(List<User> users, List<Group> groups) {
    this.users = users;
    this.groups = groups;
  }

  static UserDatabase read(Path passwd, Path group) throws IOException {
    List<User> users = new ArrayList<>();
    for (String[] f : fields(passwd)) {
      if (f.length >= 6 && isId(f[2]) && isId(f[3])) {
        users.add(new User(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5]));
      }
    }
    List<Group> groups = new ArrayList<>();
    for (String[] f : fields(group)) {
      if (f.length >= 3 && isId(f[2])) {
        List<String> members = f.length > 3 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
        groups.add(new Group(f[0], Integer.parseInt(f[2]), members));
      }
    }
    return new UserDatabase(users, groups);
  }

  /** The identity for {@code user} and optional {@code group}; the reason when it cannot be. */
  Identity resolve(String user, String group) throws IllegalArgumentException {
    Optional<User> u = users.stream().filter(x -> x.name().equals(user)).findFirst();
    if (u.isEmpty() && isId(user)) {
      int uid = Integer.parseInt(user);
      u = users.stream().filter(x -> x.uid() == uid).findFirst();
      if (u.isEmpty()) {
        if (group == null) {
          throw new IllegalArgumentException(
              "uid " + uid + " has no entry in " + PASSWD + ", so its group is unknown: give group too");
        }
        u = Optional.of(new User(user, uid, -1, "/"));
      }
    }
    User found = u.orElseThrow(() -> new IllegalArgumentException("no user '" + user + "' in " + PASSWD));
    int gid = group == null ? found.gid() : gid(group);
    Set<Integer> supplementary = new LinkedHashSet<>();
    supplementary.add(gid);
    for (Group g : groups) if (g.members().contains(found.name())) supplementary.add(g.gid());
    String home = found.home().isEmpty() ? "/" : found.home();
    return new Identity(user, found.name(), found.uid(), gid, List.copyOf(supplementary), home);
  }

  private int gid(String group) {
    for (Group g : groups) if (g.name().equals(group)) return g.gid();
    if (isId(group)) return Integer.parseInt(group);
    throw new IllegalArgumentException("no group '" + group + "' in " + GROUP);
  }

  private static boolean isId(String s) {
    if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) return false;
    long v = Long.parseLong(s);
    return v <= Integer.MAX_VALUE;
  }

  private static List<String[]> fields(Path file) throws IOException {
    List<String[]> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("#")) out.add(line.split(":", -1));
      }
    } catch (NoSuchFileException e) {
      return out;
    }
    return out;
  }
}
