package zinit.config;

import java.util.List;
import java.util.Objects;

/**
 * Who a service runs as ({@code user:} and {@code group:}), resolved from the user database when
 * the file is read.
 *
 * @param user the user as written (name or uid)
 * @param userName the name from /etc/passwd (the uid as text when it has no entry)
 * @param uid the uid
 * @param gid {@code group:} if given, else the user's primary group
 * @param groups the supplementary groups: gid and every group that lists the user
 * @param home the home directory from /etc/passwd ("/" when it has no entry)
 */
public record Identity(String user, String userName, int uid, int gid, List<Integer> groups, String home) {
  public Identity {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(userName, "userName");
    groups = List.copyOf(groups);
    Objects.requireNonNull(home, "home");
  }
}
