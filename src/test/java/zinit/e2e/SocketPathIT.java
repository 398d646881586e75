package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Socket paths that no client could connect to. */
class SocketPathIT {
  @Test
  void initRefusesASocketPathTooLongForAnyClientToConnectTo() throws Exception {
    // zinit bound it (through a short temporary name, then a link), served on it and started its
    // services, while every client, its own CLI too, failed with "Unix domain path too long": a
    // zinit no one could stop but by a signal.
    Path dir = Files.createTempDirectory("zinit-e2e-");
    try {
      Path config = Files.createDirectory(dir.resolve("etc"));
      Files.writeString(config.resolve("svc.yaml"), "exec: sh -c 'echo ran > " + dir.resolve("ran") + "; exec sleep 1000'\n");
      Path socket = dir.resolve("s".repeat(120));
      Process p = new ProcessBuilder(Zinit.LAUNCHER.toString(), "-s", socket.toString(), "init", "-c", config.toString(), "--container")
          .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      if (!ended) {
        p.destroy(); // SIGTERM: a container-mode zinit shuts its services down
        p.waitFor(60, TimeUnit.SECONDS);
      }
      String out = Files.readString(dir.resolve("out"));
      assertThat(ended).as("zinit refused to start; its output:\n%s", out).isTrue();
      assertThat(p.exitValue()).isEqualTo(1);
      assertThat(out).contains("cannot create socket " + socket + ": path too long for a Unix socket");
      assertThat(Files.exists(socket)).isFalse();
      assertThat(Files.exists(dir.resolve("ran"))).as("no service started").isFalse();
    } finally {
      try (var all = Files.walk(dir)) {
        for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
      }
    }
  }
}
