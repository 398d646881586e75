package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 12 item 2: deeply nested service files are reported and skipped, never crash zinit. */
class NestedFilesIT {
  /** Within the YAML parser's own limit of 1000, far past zinit's 32. */
  static String deep(int levels) {
    return "exec: sleep 1000\nx: " + "[".repeat(levels) + "]".repeat(levels) + "\n";
  }

  @ParameterizedTest(name = "{0} deep files")
  @ValueSource(ints = {2, 10})
  void deepFilesAtBootAreReportedWithFileAndLineAndTheRestRuns(int count) throws Exception {
    try (Zinit z = new Zinit()) {
      for (int i = 0; i < count; i++) z.service("deep" + i, deep(900));
      z.service("good", "exec: sleep 1000\n").start();
      z.awaitState("good", "Running");
      for (int i = 0; i < count; i++) {
        assertThat(z.output()).contains("deep" + i + ".yaml:2: nested more than 32 levels deep");
      }
      assertThat(z.call("service_list").fieldNames()).toIterable().containsExactly("good");
    }
  }

  @Test
  void createGetAndMonitorOfDeepContentAnswerWithAnErrorAndKeepTheConnection() throws Exception {
    ObjectMapper json = new ObjectMapper();
    try (Zinit z = new Zinit()) {
      z.service("good", "exec: sleep 1000\n").start();
      JsonNode content = json.readTree("{\"exec\": \"sleep 1\", \"x\": " + "[".repeat(900) + "]".repeat(900) + "}");
      JsonNode created = z.rpc("service_create", "made", content);
      assertThat(created.path("error").path("code").asInt()).as("%s", created).isEqualTo(-32008);
      assertThat(created.path("error").path("message").asText()).contains("nested 901 levels deep, at most 32");
      assertThat(Files.exists(z.config.resolve("made.yaml"))).isFalse();

      // A deep file put there behind zinit's back: get and monitor answer with its line.
      z.service("sneaky", deep(900));
      JsonNode got = z.rpc("service_get", "sneaky");
      assertThat(got.path("error").path("code").asInt()).as("%s", got).isEqualTo(-32005);
      assertThat(got.path("error").path("data").path("line").asInt()).isEqualTo(2);
      JsonNode monitored = z.rpc("service_monitor", "sneaky");
      assertThat(monitored.path("error").path("message").asText()).as("%s", monitored).contains("sneaky.yaml:2: nested more than 32");
      var cli = z.cli("monitor", "sneaky");
      assertThat(cli.exit()).isEqualTo(1);
      assertThat(cli.stderr()).contains("nested more than 32");
      assertThat(z.state("good")).isEqualTo("Running");
    }
  }
}
