package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A config dir whose `after` edges form one long chain: every walk of it must be a loop, not a recursion. */
class LongChainIT {
  private static final int LENGTH = 6000;

  @BeforeAll
  static void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  @Test
  void aChainOfSixThousandServicesBehindAMissingOneLoadsAnswersAndShutsDown() throws Exception {
    // The dependency-cycle search walked the chain recursively on the supervisor's loop thread:
    // zinit died at boot with a StackOverflowError (around 2000-3000 links on its 512 KiB stacks).
    try (Zinit z = new Zinit()) {
      z.service("s0", "exec: sleep 1000\nafter: [missing]\n");
      for (int i = 1; i < LENGTH; i++) z.service("s" + i, "exec: sleep 1000\nafter: [s" + (i - 1) + "]\n");
      z.start();
      var last = z.call("service_status", "s" + (LENGTH - 1));
      assertThat(last.get("state").asText()).isEqualTo("Blocked");
      assertThat(last.get("detail").asText()).isEqualTo("waiting for 's" + (LENGTH - 2) + "'");
      assertThat(z.cli("shutdown").exit()).isZero();
      assertThat(z.daemon.waitFor(60, TimeUnit.SECONDS)).as("zinit exited; its output:\n%s", z.output()).isTrue();
      assertThat(z.daemon.exitValue()).isZero();
    }
  }

  @Test
  void aCycleOfSixThousandServicesIsReportedAsACycle() throws Exception {
    // The same overflow; and each of the 6000 blocked services kept its own path of 6000 names.
    try (Zinit z = new Zinit()) {
      for (int i = 0; i < LENGTH; i++) z.service("s" + i, "exec: sleep 1000\nafter: [s" + ((i + LENGTH - 1) % LENGTH) + "]\n");
      z.start();
      var s0 = z.call("service_status", "s0");
      assertThat(s0.get("state").asText()).isEqualTo("Blocked");
      assertThat(s0.get("detail").asText()).isEqualTo("dependency cycle: s0 -> s" + (LENGTH - 1) + " -> s" + (LENGTH - 2)
          + " -> s" + (LENGTH - 3) + " -> s" + (LENGTH - 4) + " -> s" + (LENGTH - 5) + " -> s" + (LENGTH - 6) + " -> s" + (LENGTH - 7)
          + " -> ... (" + (LENGTH - 16) + " more) -> s8 -> s7 -> s6 -> s5 -> s4 -> s3 -> s2 -> s1 -> s0");
    }
  }
}
