package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceFilesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  ServiceFiles files() {
    return new ServiceFiles(dir);
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  List<String> dirListing() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void plainNamesAreAccepted() {
    for (String ok : List.of("redis", "my-svc_2", "a.b", "ünïcode", "x".repeat(ServiceFiles.MAX_NAME_BYTES))) {
      assertThat(ServiceFiles.checkName(ok)).isEqualTo(ok);
    }
  }

  @Test
  void namesThatCouldEscapeOrHideAreRefusedWithReason() {
    List<String> bad =
        List.of("", "../x", "a/b", "/etc/passwd", "..", ".", ".hidden", "a\\b", "a\u0000b", "a\nb", "x".repeat(300));
    for (String name : bad) {
      assertThatThrownBy(() -> ServiceFiles.checkName(name))
          .as("name %s", name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("service name");
      assertThatThrownBy(() -> files().pathOf(name)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> ServiceFiles.checkName(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServiceFiles.checkName("x".repeat(300))).hasMessageContaining("300 bytes");
  }

  @Test
  void pathOfIsDirectlyInsideConfigDir() {
    assertThat(files().pathOf("redis")).isEqualTo(dir.toAbsolutePath().resolve("redis.yaml"));
    assertThat(new ServiceFiles(dir.resolve("sub/..")).pathOf("a")).isEqualTo(dir.toAbsolutePath().resolve("a.yaml"));
  }

  @Test
  void createWritesValidYaml0644ThatLoadsBackTheSame() throws Exception {
    JsonNode content =
        json(
            """
            {"exec": "sh -c 'echo \\"hi\\"'", "oneshot": true, "after": ["db"], "env": {"A": "no", "B": "1"},
             "signal": {"stop": "SIGINT"}, "log": "stdout", "shutdown_timeout": 3}
            """);
    files().create("web", content);
    Path file = dir.resolve("web.yaml");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(dirListing()).containsExactly("web.yaml");
    ServiceConfig expected = ConfigLoader.fromJson("web", content);
    assertThat(files().read("web")).isEqualTo(expected);
    assertThat(ConfigLoader.load(file, w -> {})).isEqualTo(expected);
    assertThat(files().readJson("web")).isEqualTo(content);
    assertThat(files().exists("web")).isTrue();
  }

  @Test
  void createOfInvalidContentWritesNothing() throws Exception {
    assertThatThrownBy(() -> files().create("web", json("{\"exec\": \"a\", \"oneshot\": \"maybe\"}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("web.yaml (service_create): field 'oneshot'");
    assertThatThrownBy(() -> files().create("web", json("{\"oneshot\": true}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("field 'exec'");
    assertThatThrownBy(() -> files().create("web", json("\"exec\"")))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> files().create("../web", json("{\"exec\": \"a\"}")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(dirListing()).isEmpty();
    assertThat(Files.exists(dir.resolveSibling("web.yaml"))).isFalse();
  }

  @Test
  void createNeverReplacesAnExistingFile() throws Exception {
    Files.writeString(dir.resolve("web.yaml"), "exec: original\n");
    assertThatThrownBy(() -> files().create("web", json("{\"exec\": \"new\"}")))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(dir.resolve("web.yaml"))).isEqualTo("exec: original\n");
    assertThat(dirListing()).containsExactly("web.yaml");
  }

  @Test
  void createReportsUnknownKeysAsWarnings() throws Exception {
    List<String> warnings = new ArrayList<>();
    files().create("web", json("{\"exec\": \"a\", \"respawn\": \"always\"}"), warnings::add);
    assertThat(warnings).singleElement().asString().contains("web.yaml (service_create): unknown key 'respawn'");
    assertThat(files().readJson("web").get("respawn").asText()).isEqualTo("always");
  }

  @Test
  void readAndReadJsonOfMissingServiceThrowNoSuchFile() {
    assertThatThrownBy(() -> files().read("nope")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> files().readJson("nope")).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void readOfBrokenFileIsAConfigErrorWithLine() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), "exec: a\noneshot: maybe\n");
    assertThatThrownBy(() -> files().read("bad"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad.yaml:2: field 'oneshot'");
    assertThat(files().readJson("bad").get("oneshot").asText()).isEqualTo("maybe");
  }

  @Test
  void deleteRemovesTheFileAndThenReportsItMissing() throws Exception {
    files().create("web", json("{\"exec\": \"a\"}"));
    files().delete("web");
    assertThat(dirListing()).isEmpty();
    assertThatThrownBy(() -> files().delete("web")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> files().delete("../web")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void createOfContentNestedTooDeepIsRefusedAndWritesNothing() throws Exception {
    String deep = "{\"exec\": \"a\", \"x\": " + "[".repeat(900) + "]".repeat(900) + "}";
    assertThatThrownBy(() -> files().create("web", json(deep)))
        .isInstanceOf(Nesting.TooDeepException.class)
        .hasMessageContaining("web.yaml (service_create): nested 901 levels deep, at most " + Nesting.MAX_DEPTH);
    assertThat(files().exists("web")).isFalse();
  }

  @Test
  void writeReadsARelativeEnvFileFromTheConfigDirNotTheWorkingDir() throws Exception {
    Files.writeString(dir.resolve("web.env"), "PORT=8080\n");
    files().write("web", "exec: httpd\nenv_file: web.env\n", false, w -> {});
    assertThat(files().exists("web")).isTrue();
    assertThatThrownBy(() -> files().write("api", "exec: api\nenv_file: missing.env\n", false, w -> {}))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("api.yaml (service_file_put)")
        .hasMessageContaining("no such file: " + dir.toAbsolutePath().resolve("missing.env"));
    assertThat(files().exists("api")).isFalse();
  }
}
