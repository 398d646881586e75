package zinit.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What Preload prepares still works once every fd is taken. A JVM of its own, under a low fd
 * limit, so taking every fd harms no other test.
 */
class PreloadTest {
  private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

  @Test
  void aVirtualThreadBlockedOnIoIsWokenAfterEveryFdWasTaken() throws Exception {
    assumeTrue(Files.isExecutable(PRLIMIT), "needs prlimit (util-linux)");
    String classpath =
        Path.of("target/classes").toAbsolutePath() + ":" + Path.of("target/test-classes").toAbsolutePath();
    Process child =
        new ProcessBuilder(PRLIMIT.toString(), "--nofile=256:256",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, EveryFdTaken.class.getName())
            .redirectErrorStream(true)
            .start();
    try {
      String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends; its output:\n%s", out).isTrue();
      assertThat(out).as("the child JVM's output").contains("fds taken: ").contains("read 1 byte");
      assertThat(child.exitValue()).isZero();
    } finally {
      child.destroyForcibly();
    }
  }

  /** Preloads, takes every fd, then blocks a virtual thread on a pipe (opened before). */
  static final class EveryFdTaken {
    public static void main(String[] args) throws Exception {
      Preload.jdk();
      Pipe pipe = Pipe.open();
      List<FileInputStream> taken = new ArrayList<>();
      try {
        for (;;) taken.add(new FileInputStream("/dev/null"));
      } catch (IOException full) {
        System.out.println("fds taken: " + taken.size() + " (" + full.getMessage() + ")");
      }
      int[] read = new int[1];
      Thread reader = Thread.ofVirtual().start(() -> {
        try {
          read[0] = pipe.source().read(ByteBuffer.allocate(1));
        } catch (IOException | Error e) {
          e.printStackTrace(System.out);
        }
      });
      while (reader.isAlive() && reader.getState() != Thread.State.WAITING) Thread.sleep(1);
      pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
      reader.join();
      System.out.println("read " + read[0] + " byte");
      System.exit(read[0] == 1 ? 0 : 1);
    }
  }
}
