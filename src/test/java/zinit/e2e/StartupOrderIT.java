package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 6: zinit takes its socket before it starts any service. Each way the socket can
 * fail gives a readable message, exit 1, and not even a oneshot has run.
 */
class StartupOrderIT {
  record Run(int exit, String output) {}

  /** Runs `init` to its end (it must fail fast) with a oneshot that touches {@code marker}. */
  static Run init(List<String> prefix, Path socket, Path config, Path marker, String... extra) throws Exception {
    Files.writeString(config.resolve("touch.yaml"), "exec: touch " + marker + "\noneshot: true\n");
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(Zinit.LAUNCHER.toString(), "-s", socket.toString(), "init", "-c", config.toString(), "--container"));
    cmd.addAll(List.of(extra));
    Path out = Files.createTempFile("zinit-startup-", ".out");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("zinit did not exit: " + Files.readString(out));
      }
      return new Run(p.exitValue(), Files.readString(out));
    } finally {
      Files.delete(out);
    }
  }

  @Test
  void missingSocketDirectoryIsNamedAndNotCreated() throws Exception {
    try (Zinit z = new Zinit()) {
      Path socket = z.dir.resolve("no/such/dir/zinit.sock");
      Run r = init(List.of(), socket, z.config, z.file("ran"));
      assertThat(r.exit()).as(r.output()).isEqualTo(1);
      assertThat(r.output()).contains("directory " + z.dir.resolve("no/such/dir") + " does not exist");
      assertThat(z.dir.resolve("no")).doesNotExist();
      assertThat(z.file("ran")).as("no service starts").doesNotExist();
    }
  }

  @Test
  void plainFileAtTheSocketPathIsNotASocketAndIsKept() throws Exception {
    try (Zinit z = new Zinit()) {
      Files.writeString(z.socket, "precious");
      Run r = init(List.of(), z.socket, z.config, z.file("ran"));
      assertThat(r.exit()).as(r.output()).isEqualTo(1);
      assertThat(r.output()).contains(z.socket + ": the path exists and is not a socket");
      assertThat(Files.readString(z.socket)).isEqualTo("precious");
      assertThat(z.file("ran")).doesNotExist();
    }
  }

  @Test
  void unknownSocketGroupIsNoSuchGroup() throws Exception {
    try (Zinit z = new Zinit()) {
      Run r = init(List.of(), z.socket, z.config, z.file("ran"), "--socket-group", "no-such-group-h12b");
      assertThat(r.exit()).as(r.output()).isEqualTo(1);
      assertThat(r.output()).contains("no such group 'no-such-group-h12b'").doesNotContain("null");
      assertThat(z.socket).doesNotExist();
      assertThat(z.file("ran")).doesNotExist();
    }
  }

  /**
   * As root (who may write anywhere) the run is as user nobody, in a tree nobody can read but not
   * write; as another user, in a directory of its own made read-only.
   */
  @Test
  void unwritableSocketDirectoryIsPermissionDenied() throws Exception {
    Path tree = Files.createTempDirectory("zinit-h12b-perm-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    try {
      Path config = Files.createDirectory(tree.resolve("etc"));
      Path sockets = Files.createDirectory(tree.resolve("run"));
      Path markers = Files.createDirectory(tree.resolve("markers"));
      Files.setPosixFilePermissions(markers, PosixFilePermissions.fromString("rwxrwxrwx"));
      List<String> prefix = List.of();
      if (Privileges.root()) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux) to run as nobody");
        prefix = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "ZINIT_AOT=0");
      } else {
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("r-xr-xr-x"));
      }
      Path marker = markers.resolve("ran");
      Run r = init(prefix, sockets.resolve("zinit.sock"), config, marker);
      assertThat(r.exit()).as(r.output()).isEqualTo(1);
      assertThat(r.output()).contains("cannot create socket " + sockets.resolve("zinit.sock") + ": permission denied");
      assertThat(marker).doesNotExist();
    } finally {
      Files.setPosixFilePermissions(tree.resolve("run"), PosixFilePermissions.fromString("rwxr-xr-x"));
      try (Stream<Path> files = Files.walk(tree)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void missingConfigDirIsCreatedAndZinitRunsWithNoServices() throws Exception {
    try (Zinit z = new Zinit()) {
      Files.delete(z.config);
      z.start();
      assertThat(z.config).isDirectory();
      assertThat(z.call("service_list").size()).isZero();
      Files.writeString(z.config.resolve("late.yaml"), "exec: sleep 1000\n");
      z.call("service_monitor", "late");
      z.awaitState("late", "Running");
    }
  }

}
