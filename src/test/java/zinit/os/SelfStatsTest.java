package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.io.TempDir;

/**
 * openFds counts every descriptor of this JVM, so it runs with no other test alongside: the spawn
 * tests' pipes and pidfds came and went within its window (with the libc bindings built faster,
 * 4 runs of the unit tests in 9 saw 6-8 descriptors of others).
 */
@Isolated
class SelfStatsTest {
  // The test JVM's other threads may open or close a few descriptors meanwhile (class loading).
  @Test
  void openFdsCountsEveryDescriptorOpenedAndClosed() throws IOException {
    int before = SelfStats.openFds();
    assertThat(before).isPositive();
    try (var listing = Files.list(Path.of("/proc/self/fd"))) {
      assertThat(listing.count() - 1).isCloseTo(before, org.assertj.core.data.Offset.offset(5L));
    }
    List<int[]> pipes = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) pipes.add(Fds.pipe()); // more than one getdents64 buffer's worth of names
      assertThat(SelfStats.openFds()).isCloseTo(before + 600, org.assertj.core.data.Offset.offset(5));
    } finally {
      for (int[] p : pipes) {
        Fds.close(p[0]);
        Fds.close(p[1]);
      }
    }
    assertThat(SelfStats.openFds()).isCloseTo(before, org.assertj.core.data.Offset.offset(5));
  }

  @Test
  void readOfShortLineFilesGivesTheWholeFileEvenBeyondOneRead(@TempDir Path dir) throws IOException {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 3000; i++) many.append(100000 + i).append('\n'); // 21 000 bytes of short lines
    Path f = dir.resolve("procs");
    Files.writeString(f, many);
    assertThat(ProcFs.read(f.toString(), true)).contains(many.toString());
    assertThat(ProcFs.read(f)).contains(many.toString());
    assertThat(ProcFs.read(dir.resolve("gone").toString(), true)).isEmpty();
  }

  @Test
  void readOfAProcFileMatchesTheJdksRead() throws IOException {
    String status = ProcFs.read("/proc/self/status", true).orElseThrow();
    assertThat(status).startsWith("Name:").contains("\nPid:").endsWith("\n");
    assertThat(ProcFs.read("/proc/self/stat", true).orElseThrow()).startsWith(Long.toString(ProcessHandle.current().pid()) + " (");
  }
}
