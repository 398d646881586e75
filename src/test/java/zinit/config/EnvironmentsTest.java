package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentsTest {
  @TempDir Path dir;

  @Test
  void etcEnvironmentLinesOverlayZinitsEnvironment() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("environment"),
            """
            # a comment
            \s\s
            PATH="/opt/bin:/usr/bin"
            export LANG=C.UTF-8
            SINGLE='a b'
            EMPTY=
            SPACED = x y\s
            EQ=a=b
            MISMATCHED="x'
            not a pair
            =novalue
            """);
    List<String> warnings = new ArrayList<>();
    Map<String, String> env = Environments.base(file, warnings::add);
    assertThat(env)
        .containsEntry("PATH", "/opt/bin:/usr/bin")
        .containsEntry("LANG", "C.UTF-8")
        .containsEntry("SINGLE", "a b")
        .containsEntry("EMPTY", "")
        .containsEntry("SPACED", "x y")
        .containsEntry("EQ", "a=b")
        .containsEntry("MISMATCHED", "\"x'");
    assertThat(env).doesNotContainKey("not a pair").doesNotContainKey("");
    assertThat(warnings).hasSize(2).allMatch(w -> w.startsWith(file + ":"));
    assertThat(warnings.get(0)).startsWith(file + ":10:");
    // zinit's own environment is the base
    System.getenv().forEach((k, v) -> {
      if (!List.of("PATH", "LANG").contains(k)) assertThat(env).containsEntry(k, v);
    });
  }

  @Test
  void missingFileAddsNothing() {
    assertThat(Environments.base(dir.resolve("none"))).isEqualTo(System.getenv());
  }

  @Test
  void serviceEnvOverridesBase() {
    Map<String, String> base = Map.of("A", "base", "B", "base");
    ServiceConfig c =
        new ServiceConfig(
            "s", List.of("x"), List.of(), false, ServiceConfig.DEFAULT_SHUTDOWN_TIMEOUT, List.of(),
            Signal.SIGTERM, LogMode.RING, Map.of("B", "svc", "C", "svc"), Path.of("/"));
    assertThat(Environments.forService(base, c)).isEqualTo(Map.of("A", "base", "B", "svc", "C", "svc"));
  }
}
