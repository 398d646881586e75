package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import zinit.config.ServiceFiles;
import zinit.logs.LogRing;

/** Who may connect, and one server per socket file. */
class RpcSecurityTest {
  private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}";

  @Test
  void socketIsOwnerOnly() throws Exception {
    try (Fixture f = new Fixture()) {
      PosixFileAttributes a = Files.readAttributes(f.socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      assertThat(a.isOther()).isTrue();
      assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-------");
      try (var left = Files.list(f.dir)) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("etc", "zinit.sock");
      }
    }
  }

  @Test
  void socketGroupMakesItGroupReadable() throws Exception {
    // Only root may give a file to a group it is not in; anyone may give it to their own group.
    String group = System.getProperty("user.name").equals("root") ? "nogroup" : primaryGroup();
    try (Fixture f = new Fixture(Limits.DEFAULT, group)) {
      PosixFileAttributes a = Files.readAttributes(f.socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-rw----");
      assertThat(a.group().getName()).isEqualTo(group);
    }
  }

  @Test
  void theFileModeKeepsOtherUsersOut() throws Exception {
    assumeRoot();
    try (Fixture f = new Fixture()) {
      openDir(f);
      Result r = asNobody(f.socket);
      assertThat(r.exit()).isNotZero();
      assertThat(r.output()).contains("Permission denied");
    }
  }

  @Test
  void peerCredentialsRefuseOtherUsersEvenWhenTheModeIsLoosened() throws Exception {
    assumeRoot();
    try (Fixture f = new Fixture()) {
      openDir(f);
      Files.setPosixFilePermissions(f.socket, PosixFilePermissions.fromString("rw-rw-rw-"));
      Result r = asNobody(f.socket);
      assertThat(r.output()).contains("-32600", "permission denied", "nobody");
      assertThat(f.serverLog).anyMatch(l -> l.contains("refused connection of user nobody"));
      try (RawClient root = f.client()) {
        assertThat(root.call(LIST).has("result")).isTrue();
      }
    }
  }

  @Test
  void membersOfTheSocketGroupAreAdmitted() throws Exception {
    assumeRoot();
    try (Fixture f = new Fixture(Limits.DEFAULT, "nogroup")) {
      openDir(f);
      Result r = asNobody(f.socket);
      assertThat(r.output()).contains("\"result\"");
    }
  }

  @Test
  void aSecondServerOnALiveSocketIsRefusedAndTheFirstKeepsServing() throws Exception {
    try (Fixture f = new Fixture()) {
      assertThatThrownBy(() -> start(f.socket))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("another zinit is listening on " + f.socket);
      try (RawClient c = f.client()) {
        assertThat(c.call(LIST).has("result")).isTrue();
      }
    }
  }

  @Test
  void aStaleSocketFileIsReplaced() throws Exception {
    Path dir = Files.createTempDirectory("zinit-stale");
    Path socket = dir.resolve("z.sock");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).exists();
    RpcServer server = start(socket);
    try (RawClient c = RawClient.connect(socket)) {
      assertThat(c.call(LIST).has("result")).isTrue();
    } finally {
      server.close();
    }
    assertThat(socket).doesNotExist();
    Files.delete(dir);
  }

  @Test
  void aFileThatIsNotASocketIsNeverReplaced() throws Exception {
    Path dir = Files.createTempDirectory("zinit-notsock");
    Path socket = Files.writeString(dir.resolve("z.sock"), "precious");
    try {
      assertThatThrownBy(() -> start(socket)).hasMessageContaining("is not a socket");
      assertThat(Files.readString(socket)).isEqualTo("precious");
    } finally {
      Files.delete(socket);
      Files.delete(dir);
    }
  }

  @Test
  void closeLeavesASocketThatIsNoLongerOurs() throws Exception {
    try (Fixture f = new Fixture()) {
      Files.delete(f.socket);
      try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        other.bind(UnixDomainSocketAddress.of(f.socket));
        f.server.close();
        assertThat(f.socket).exists();
      }
    }
  }

  private static RpcServer start(Path socket) throws IOException {
    return RpcServer.start(
        socket, new FakeServices(), new LogRing(10), new ServiceFiles(socket.getParent()), new RpcServer.Options(null, l -> {}));
  }

  private record Result(int exit, String output) {}

  private static void assumeRoot() throws IOException {
    assumeTrue(System.getProperty("user.name").equals("root"), "needs root to run a client as user nobody");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3 for the unprivileged client");
  }

  private static void openDir(Fixture f) throws IOException {
    Files.setPosixFilePermissions(f.dir, PosixFilePermissions.fromString("rwx--x--x"));
  }

  /** Connects as uid/gid 65534 without supplementary groups, sends service_list, prints the reply. */
  private static Result asNobody(Path socket) throws Exception {
    String py =
        "import socket,sys\n"
            + "s=socket.socket(socket.AF_UNIX)\n"
            + "s.connect(sys.argv[1])\n"
            + "try:\n"
            + "  s.sendall(sys.argv[2].encode()+b'\\n')\n"
            + "except OSError:\n"
            + "  pass  # refused before the request went out: the reply is still there to read\n"
            + "print(s.makefile().readline())\n";
    Process p =
        new ProcessBuilder(
                List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", py, socket.toString(), LIST))
            .redirectErrorStream(true)
            .start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      return new Result(p.exitValue(), out);
    } finally {
      p.destroyForcibly();
    }
  }

  /** The group a new file of this process gets. */
  private static String primaryGroup() throws IOException {
    Path probe = Files.createTempFile("zinit-group-probe", "");
    try {
      return Files.readAttributes(probe, PosixFileAttributes.class).group().getName();
    } finally {
      Files.delete(probe);
    }
  }
}
