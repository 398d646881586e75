package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SpareFdsTest {
  private static long devNullFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(p -> {
        try {
          return Files.readSymbolicLink(p).toString().equals("/dev/null");
        } catch (IOException gone) {
          return false;
        }
      }).count();
    }
  }

  @Test
  void releaseClosesOneSpareFdAndReplenishReopensIt() throws IOException {
    long before = devNullFds();
    SpareFds spare = SpareFds.hold(3);
    assertThat(spare.held()).isEqualTo(3);
    assertThat(devNullFds()).isEqualTo(before + 3);
    assertThat(spare.release()).isTrue();
    assertThat(devNullFds()).isEqualTo(before + 2);
    spare.replenish();
    assertThat(spare.held()).isEqualTo(3);
    for (int i = 0; i < 3; i++) assertThat(spare.release()).isTrue();
    assertThat(spare.release()).as("an empty reserve has nothing to give").isFalse();
    assertThat(devNullFds()).isEqualTo(before);
  }
}
