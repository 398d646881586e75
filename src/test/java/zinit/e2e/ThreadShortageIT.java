package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No thread to be had (RLIMIT_NPROC, kernel.threads-max, a pids limit, a fork bomb): a stop must
 * still stop, and once threads are back the service must start again, never stay wedged.
 */
class ThreadShortageIT {
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
  /** Enough for zinit to boot (about 25 threads) and its service, not for 2 threads per client. */
  private static final int NPROC = 50;

  @Test
  @Timeout(90)
  void aStopWithNoThreadLeftStillStopsAndTheServiceStartsLater() throws Exception {
    assumeTrue(Privileges.root(), "needs root (to run zinit as games, a user no other test runs as)");
    assumeTrue(Files.isExecutable(SETPRIV) && Files.isExecutable(PRLIMIT), "needs setpriv and prlimit (util-linux)");
    try (Zinit z = new Zinit()) {
      // RLIMIT_NPROC counts every task of user games (no other test runs as it): zinit's threads and its services
      z.service("svc", "exec: sleep 1000\n")
          .wrappedIn(PRLIMIT.toString(), "--nproc=" + NPROC + ":" + NPROC,
              SETPRIV.toString(), "--reuid=games", "--regid=games", "--clear-groups", "env", "HOME=" + z.dir);
      chownTree(z.dir, "games");
      z.start();
      z.awaitState("svc", "Running");
      long pid = z.call("service_status", "svc").get("pid").asLong();
      // log streams that hold two threads each, until none is left (the rest get virtual ones)
      List<SocketChannel> held = new ArrayList<>();
      try {
        for (int i = 0; i < NPROC; i++) {
          SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
          held.add(ch);
          ch.connect(UnixDomainSocketAddress.of(z.socket));
          ch.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"stream_subscribeLogs\"}\n".getBytes(StandardCharsets.UTF_8)));
        }
        Zinit.waitFor("zinit to run out of threads", Duration.ofSeconds(30), () -> z.output().contains("pthread_create failed"));
        z.call("service_stop", "svc");
        assertThat(Zinit.alive(pid)).as("svc's process after its stop").isFalse();
      } finally {
        for (SocketChannel ch : held) ch.close();
      }
      z.call("service_start", "svc"); // threads are back: it starts (a spawn that found none is retried)
      z.awaitState("svc", "Running");
      assertThat(z.call("service_status", "svc").get("target").asText()).isEqualTo("Up");
    }
  }

  private static void chownTree(Path dir, String user) throws IOException {
    var owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) Files.setOwner(p, owner);
    }
  }
}
