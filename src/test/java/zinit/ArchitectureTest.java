package zinit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Only zinit.os may touch native memory and calls: everything else sees the OS through interfaces. */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Pattern FOREIGN = Pattern.compile("\\bjava\\.lang\\.foreign\\b");

  @Test
  void onlyTheOsPackageUsesJavaLangForeign() throws IOException {
    assertThat(MAIN.resolve("zinit/os")).isDirectory();
    try (Stream<Path> files = Files.walk(MAIN)) {
      List<Path> offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> !p.startsWith(MAIN.resolve("zinit/os")))
              .filter(ArchitectureTest::usesForeign)
              .toList();
      assertThat(offenders).as("files outside zinit/os using java.lang.foreign").isEmpty();
    }
  }

  private static boolean usesForeign(Path file) {
    try {
      return FOREIGN.matcher(Files.readString(file)).find();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
