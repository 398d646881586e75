package zinit.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Arrays;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may talk to zinit: root, zinit's own user and, with a socket group, that group's members.
 * The file mode already keeps others out; this check holds even if the mode is loosened later.
 */
final class PeerPolicy {
  private final UserPrincipal root;
  private final UserPrincipal self;
  private final GroupPrincipal group;
  private final String groupName;

  private PeerPolicy(UserPrincipal root, UserPrincipal self, GroupPrincipal group, String groupName) {
    this.root = root;
    this.self = self;
    this.group = group;
    this.groupName = groupName;
  }

  /** {@code self} is the owner of the socket file this process just created. */
  static PeerPolicy of(Path socket, String groupOrNull) throws IOException {
    UserPrincipalLookupService lookup = socket.getFileSystem().getUserPrincipalLookupService();
    // "0" resolves as a uid even where /etc/passwd is missing (scratch containers)
    UserPrincipal root = lookup.lookupPrincipalByName("0");
    UserPrincipal self = Files.getOwner(socket);
    GroupPrincipal group = groupOrNull == null ? null : lookup.lookupPrincipalByGroupName(groupOrNull);
    return new PeerPolicy(root, self, group, groupOrNull);
  }

  /** Root and zinit's own user: they still get in when the connection cap is reached. */
  boolean privileged(UnixDomainPrincipal peer) {
    return peer.user().equals(root) || peer.user().equals(self);
  }

  /** Null when the peer may connect, else why not. */
  String refusal(UnixDomainPrincipal peer) {
    if (peer.user().equals(root) || peer.user().equals(self)) return null;
    if (group != null && (peer.group().equals(group) || memberOfGroup(peer.user().getName()))) return null;
    return "permission denied: user " + peer.user().getName() + " may not use this socket"
        + (group == null ? "" : " (not in group " + groupName + ")");
  }

  // SO_PEERCRED carries only the primary group; supplementary membership comes from /etc/group
  private boolean memberOfGroup(String user) {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/group"))) {
        String[] f = line.split(":", -1);
        if (f.length >= 4 && f[0].equals(groupName))
          return Arrays.asList(f[3].split(",")).contains(user);
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
