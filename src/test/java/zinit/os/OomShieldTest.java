package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.readWhenPresent;
import static zinit.os.OsTesting.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import zinit.supervisor.ExitStatus;
import zinit.supervisor.ServiceProcess;

/**
 * A zinit that lowered its own oom_score_adj gives its services the value it was started with,
 * through the spawn's trampoline, with or without cgroups (without, the trampoline is otherwise
 * skipped). Lowering needs CAP_SYS_RESOURCE; raising does not, so the test gives a higher value
 * than this JVM's and checks the program has it and this JVM kept its own.
 */
class OomShieldTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "cgroups={0}")
  @ValueSource(booleans = {true, false})
  void servicesGetTheOomScoreAdjTheHostGivesThemAndZinitKeepsItsOwn(boolean cgroups) throws Exception {
    int own = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).trim());
    int given = Math.min(1000, Math.max(own, 0) + 123);
    try (var h = host(cgroups)) {
      ServiceProcess before = h.host().spawn(sh("before", "cat /proc/self/oom_score_adj > before", tmp));
      assertThat(before.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
      before.close();
      h.host().giveServicesOomScoreAdj(given);
      // the program and what it starts
      ServiceProcess after = h.host().spawn(sh("after", "sh -c 'cat /proc/self/oom_score_adj' > after", tmp));
      assertThat(after.exit().get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
      after.close();
    }
    assertThat(readWhenPresent(tmp.resolve("before")).trim()).as("inherited from zinit").isEqualTo(Integer.toString(own));
    assertThat(readWhenPresent(tmp.resolve("after")).trim()).isEqualTo(Integer.toString(given));
    assertThat(Files.readString(Path.of("/proc/self/oom_score_adj")).trim()).isEqualTo(Integer.toString(own));
  }
}
