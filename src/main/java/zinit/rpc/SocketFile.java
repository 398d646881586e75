package zinit.rpc;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * The listening socket's file. It is bound inside a fresh 0700 directory, given its final mode and
 * group there, then hard-linked into place: nobody else can ever connect through a window where
 * the mode is still the umask's, and link(2) failing on an existing name makes "one zinit per
 * socket" atomic.
 */
final class SocketFile {
  /**
   * Pending connections the kernel holds for us (capped by net.core.somaxconn). A burst of
   * scripted CLI calls beyond it would fail with EAGAIN on connect; queued ones cost nothing.
   */
  private static final int BACKLOG = 4096;

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private final Path path;
  private final Object fileKey;
  private final ServerSocketChannel channel;

  private SocketFile(Path path, Object fileKey, ServerSocketChannel channel) {
    this.path = path;
    this.fileKey = fileKey;
    this.channel = channel;
  }

  /**
   * Binds and listens at {@code socket}: mode 0600, or 0660 with {@code groupOrNull} as group. The
   * directory must exist (zinit creates none the user did not ask for). Failures are IOExceptions
   * whose message is one line naming the path and the cause ("permission denied", ...).
   */
  /** The longest path a Unix socket address holds (sun_path, less its NUL). */
  static final int MAX_PATH = 107;

  static SocketFile bind(Path socket, String groupOrNull) throws IOException {
    Path path = socket.toAbsolutePath();
    // sun_path holds 108 bytes with its NUL. zinit binds through a short temporary name and links
    // it, which works for any length, but then no client could connect to the path given.
    int bytes = path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > MAX_PATH) {
      throw new IOException("cannot create socket " + path + ": path too long for a Unix socket (" + bytes
          + " bytes, at most " + MAX_PATH + "; clients could not connect to it)");
    }
    Path dir = path.getParent();
    if (!Files.isDirectory(dir)) throw new IOException("cannot create socket " + path + ": directory " + dir + " does not exist");
    GroupPrincipal group = null;
    if (groupOrNull != null) {
      try {
        group = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(groupOrNull);
      } catch (UserPrincipalNotFoundException e) {
        throw new IOException("cannot create socket " + path + ": no such group '" + groupOrNull + "' (--socket-group)");
      }
    }
    try {
      return bind(path, dir, group);
    } catch (FileSystemException e) {
      String reason = e instanceof AccessDeniedException ? "permission denied" : e.getReason();
      String where = e.getFile() == null ? "" : " (" + e.getFile() + ")";
      throw new IOException("cannot create socket " + path + ": " + (reason == null ? e.getClass().getSimpleName() : reason) + where, e);
    }
  }

  private static SocketFile bind(Path path, Path dir, GroupPrincipal group) throws IOException {
    removeStale(path);
    Path tmpDir;
    try {
      tmpDir = Files.createTempDirectory(dir, ".zinit-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(dir.toString(), null, "permission denied");
    }
    Path tmp = tmpDir.resolve("s");
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.bind(UnixDomainSocketAddress.of(tmp), BACKLOG);
      if (group != null) {
        Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setGroup(group);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-rw----"));
      } else {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      }
      try {
        Files.createLink(path, tmp);
      } catch (FileAlreadyExistsException e) {
        throw new IOException("another zinit is listening on " + path + " (it appeared while starting)");
      }
      Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      return new SocketFile(path, key, channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(tmpDir);
    }
  }

  Path path() {
    return path;
  }

  ServerSocketChannel channel() {
    return channel;
  }

  /** Removes the socket file if it is still the one this server created. */
  void remove() throws IOException {
    try {
      Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      if (fileKey.equals(key)) Files.delete(path);
    } catch (NoSuchFileException e) {
      // already gone: someone removed it, nothing to do
    }
  }

  private static boolean answers(Path path) throws IOException {
    try {
      SocketChannel.open(UnixDomainSocketAddress.of(path)).close();
      return true;
    } catch (ConnectException refused) {
      return false;
    }
  }

  /** A socket file nobody answers on is left over from a zinit that died; a live one is kept. */
  private static void removeStale(Path path) throws IOException {
    int mode;
    try {
      mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if ((mode & S_IFMT) != S_IFSOCK)
      throw new IOException("cannot create socket " + path + ": the path exists and is not a socket; not replacing it");
    if (answers(path)) throw new IOException("another zinit is listening on " + path);
    Files.deleteIfExists(path);
  }
}
