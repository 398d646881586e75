package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * `zinit log -s` (stream_currentLogs) with a buffer whose lines together are larger than one
 * reply may be (1 MiB): 2000 lines of ~600 bytes, as a service writing JSON logs fills it. The
 * snapshot must still answer, with the newest lines and a line saying how many older ones are
 * left out, rather than fail.
 */
class LogSnapshotIT {
  @Test
  void aSnapshotLargerThanTheReplyLimitGivesTheNewestLinesAndSaysHowManyAreLeftOut() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("chatty", "exec: sh -c 'i=0; while [ $i -lt 2500 ]; do printf \"{\\\"i\\\":%d,\\\"pad\\\":\\\"%0580d\\\"}\\n\" $i 0; "
              + "i=$((i+1)); done; echo done; touch " + z.file("printed") + "; exec sleep 1000'\n")
          .start();
      Zinit.waitFor("the service to print its lines", Duration.ofSeconds(60), () -> java.nio.file.Files.exists(z.file("printed")));
      // its pipe may still hold the last lines for a moment
      Zinit.Result last = null;
      for (long end = System.nanoTime() + Duration.ofSeconds(30).toNanos(); System.nanoTime() < end; Thread.sleep(100)) {
        last = z.cli("log", "-s", "chatty");
        if (last.exit() != 0 || last.stdout().contains("chatty: done")) break;
      }
      assertThat(last.exit()).as("zinit log -s chatty: " + last.stderr()).isZero();
      for (String[] args : new String[][] {{"log", "-s"}, {"log", "-s", "chatty"}}) {
        Zinit.Result r = z.cli(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r.stderr()).isZero();
        String[] lines = r.stdout().split("\n");
        assertThat(lines[0]).matches("\\[-\\] zinit: \\d+ older log lines left out: .*");
        // zinit's own lines (its "listening" one) may come after the service's
        assertThat(java.util.Arrays.stream(lines).filter(l -> l.startsWith("[+] chatty: ")).reduce((a, b) -> b))
            .hasValue("[+] chatty: done");
        assertThat(r.stdout()).contains("{\"i\":2499,");
      }
      // the same through the API: a JSON array of lines within the limit, the newest last
      JsonNode reply = z.rpc("stream_currentLogs");
      assertThat(reply.has("error")).as(reply.path("error").toString()).isFalse();
      JsonNode lines = reply.get("result");
      assertThat(lines.toString()).contains("\"[+] chatty: done\"");
      assertThat(lines.size()).isLessThan(2000);
    }
  }
}
