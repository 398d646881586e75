package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** service_file_get and service_file_put: the dashboard's editor works on a file's text. */
class ServiceFileTextTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private Fixture f;
  private RawClient c;

  @BeforeEach
  void start() throws Exception {
    f = new Fixture();
    c = f.client();
  }

  @AfterEach
  void stop() throws Exception {
    c.close();
    f.close();
  }

  private JsonNode call(String method, Object params) throws Exception {
    String req = JSON.writeValueAsString(java.util.Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", params));
    return c.call(req);
  }

  @Test
  void putWritesTheTextVerbatimCommentsIncludedAndGetReadsItBack() throws Exception {
    String yaml = "# the web server\nexec: \"sleep 100\"   # keep it simple\nshutdown_timeout: 3\n";
    JsonNode put = call("service_file_put", java.util.Map.of("name", "web", "yaml", yaml));
    assertThat(put.has("error")).as("%s", put).isFalse();
    assertThat(Files.readString(f.configDir.resolve("web.yaml"))).isEqualTo(yaml);
    assertThat(call("service_file_get", java.util.Map.of("name", "web")).get("result").asText()).isEqualTo(yaml);
    assertThat(f.files.read("web").shutdownTimeout().toSeconds()).isEqualTo(3);
  }

  @Test
  void aMistakeIsAConfigErrorNamingTheLineOfTheTextAndWritesNothing() throws Exception {
    String yaml = "exec: sleep 100\n\nshutdown_timeout: soon\n";
    JsonNode error = call("service_file_put", java.util.Map.of("name", "web", "yaml", yaml)).get("error");
    assertThat(error.get("code").asInt()).isEqualTo(-32005);
    assertThat(error.at("/data/line").asInt()).isEqualTo(3);
    assertThat(error.at("/data/field").asText()).isEqualTo("shutdown_timeout");
    assertThat(error.get("message").asText()).contains("web.yaml (service_file_put):3: field 'shutdown_timeout'");
    assertThat(error.at("/data/hint").asText()).isNotEmpty();
    assertThat(f.configDir.resolve("web.yaml")).doesNotExist();
  }

  @Test
  void unknownKeysAreWrittenButWarnedAboutWithTheirLine() throws Exception {
    JsonNode put = call("service_file_put", java.util.Map.of("name", "web", "yaml", "exec: sleep 100\nrestrat: always\n"));
    assertThat(put.get("result").asText())
        .startsWith("Service file 'web' written\n")
        .contains("warning: web.yaml (service_file_put):2: unknown key 'restrat' ignored");
    assertThat(f.configDir.resolve("web.yaml")).exists();
  }

  @Test
  void aSyntaxErrorNamesItsLineToo() throws Exception {
    JsonNode error = call("service_file_put", java.util.Map.of("name", "web", "yaml", "exec: sleep 1\nafter: [db\n")).get("error");
    assertThat(error.get("code").asInt()).isEqualTo(-32005);
    assertThat(error.at("/data/line").asInt()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void putReplacesOnlyWhenAskedTo() throws Exception {
    Files.writeString(f.configDir.resolve("web.yaml"), "exec: old\n");
    JsonNode exists = call("service_file_put", java.util.Map.of("name", "web", "yaml", "exec: new\n")).get("error");
    assertThat(exists.get("code").asInt()).isEqualTo(-32007);
    assertThat(Files.readString(f.configDir.resolve("web.yaml"))).isEqualTo("exec: old\n");
    JsonNode replaced = call("service_file_put", java.util.Map.of("name", "web", "yaml", "exec: new\n", "replace", true));
    assertThat(replaced.has("error")).as("%s", replaced).isFalse();
    assertThat(Files.readString(f.configDir.resolve("web.yaml"))).isEqualTo("exec: new\n");
    try (var leftovers = Files.list(f.configDir)) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly("web.yaml");
    }
  }

  @Test
  void namesCannotLeaveTheConfigDirAndMissingFilesAreNotFound() throws Exception {
    JsonNode escape = call("service_file_put", java.util.Map.of("name", "../web", "yaml", "exec: a\n")).get("error");
    assertThat(escape.get("code").asInt()).isEqualTo(-32602);
    assertThat(f.dir.resolve("web.yaml")).doesNotExist();
    assertThat(call("service_file_get", java.util.Map.of("name", "../zinit.sock")).at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(call("service_file_get", java.util.Map.of("name", "nope")).at("/error/code").asInt()).isEqualTo(-32000);
  }
}
