package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Files a service file names, or that stand where a service file should, that are not regular
 * files: a FIFO blocks whoever opens it until a writer comes, and a device such as /dev/zero never
 * ends. Neither may hang zinit's boot, wedge its control plane or fill its heap.
 */
class SpecialFilesIT {
  @Test
  @Timeout(90)
  void fifosAndDevicesAsServiceOrEnvFilesAreErrorsNotAHangOrAnOutOfMemory() throws Exception {
    try (Zinit z = new Zinit()) {
      Path envFifo = z.file("env.fifo");
      Path serviceFifo = z.config.resolve("piped.yaml");
      mkfifo(envFifo);
      try {
        z.service("good", "exec: sleep 1000\n")
            .service("zero", "exec: sleep 1000\nenv_file: /dev/zero\n")
            .service("fifo", "exec: sleep 1000\nenv_file: " + envFifo + "\n");
        // procfs calls its files regular with a size of 0; /proc/kmsg blocks a reader until the
        // kernel logs something (and takes that message from syslog's reader)
        boolean kmsg = Files.isReadable(KMSG);
        if (kmsg) {
          z.service("kernel", "exec: sleep 1000\nenv_file: " + KMSG + "\n");
          Files.createSymbolicLink(z.config.resolve("kmsg.yaml"), KMSG);
        }
        z.start();
        z.awaitState("good", "Running");
        if (kmsg) {
          assertThat(z.rpc("service_status", "kmsg").path("error").path("message").asText())
              .contains("its file failed to load").contains("file is empty");
          assertThat(z.state("kernel")).isEqualTo("Running"); // read as the empty file it says it is
        }
        for (String name : List.of("zero", "fifo")) {
          JsonNode status = z.rpc("service_status", name);
          assertThat(status.path("error").path("message").asText()).as(status.toString())
              .contains("its file failed to load").contains("env_file").contains("not a regular file");
        }
        // the same files met later, through the API, where a client waits for the answer
        Files.createSymbolicLink(z.config.resolve("dev.yaml"), Path.of("/dev/zero"));
        mkfifo(serviceFifo);
        for (String name : List.of("dev", "piped")) {
          for (String method : List.of("service_monitor", "service_get")) {
            JsonNode reply = z.rpc(method, name);
            assertThat(reply.path("error").path("message").asText()).as(method + " " + name + ": " + reply)
                .contains("not a regular file");
          }
        }
        JsonNode created = z.rpc("service_create", "made", java.util.Map.of("exec", "sleep 1", "env_file", "/dev/zero"));
        assertThat(created.path("error").path("message").asText()).as(created.toString()).contains("not a regular file");
        z.service("later", "exec: sleep 1000\nenv_file: " + envFifo + "\n");
        JsonNode reload = z.call("system_reload");
        assertThat(reload.path("later").asText()).contains("not a regular file");
        // nothing above left a lock held: stop and start of a running service still answer
        z.call("service_stop", "good");
        z.call("service_start", "good");
        z.awaitState("good", "Running");
        assertThat(z.daemon.isAlive()).as(z.output()).isTrue();
        assertThat(z.output()).doesNotContain("OutOfMemoryError");
      } finally {
        // before the fix zinit sits in open() on these: a writer lets it go, so cleanup can run
        release(envFifo);
        release(serviceFifo);
      }
    }
  }

  private static final Path KMSG = Path.of("/proc/kmsg");

  private static void mkfifo(Path path) throws Exception {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("mkfifo " + path).isTrue();
  }

  /** Opens the FIFO for writing for a moment, which ends a reader's wait in open(); no reader: gives up. */
  private static void release(Path fifo) throws IOException, InterruptedException {
    if (!Files.exists(fifo)) return;
    Process p = new ProcessBuilder("timeout", "2", "sh", "-c", "exec 3>\"$1\"", "sh", fifo.toString()).start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
  }
}
