package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import zinit.config.LogMode;
import zinit.config.ServiceConfig;
import zinit.config.Signal;

/** The after-graph's cycles, as a reconcile asks for them: every blocked service, one graph. */
class DependenciesTest {
  private final Map<String, Service> services = new LinkedHashMap<>();

  private void svc(String name, String... after) {
    services.put(name, new Service(new ServiceConfig(
        name, List.of("/bin/true"), List.of(), false, Duration.ofSeconds(10), List.of(after),
        Signal.SIGTERM, LogMode.RING, Map.of(), Path.of("/"))));
  }

  private Optional<String> cycle(String name) {
    return new Dependencies.Cycles(services).through(name);
  }

  @Test
  void aChainBehindAMissingServiceHasNoCycleAnywhere() {
    svc("s0", "missing");
    for (int i = 1; i < 50; i++) svc("s" + i, "s" + (i - 1));
    var cycles = new Dependencies.Cycles(services);
    for (String name : services.keySet()) assertThat(cycles.through(name)).as(name).isEmpty();
    assertThat(Dependencies.onCycles(services)).isEmpty();
  }

  @Test
  void eachServiceOfACycleSeesItFromItselfAndItsTailSeesNone() {
    svc("a", "b");
    svc("b", "c");
    svc("c", "a");
    svc("tail", "a"); // waits for the cycle, is not on it
    svc("self", "self");
    var cycles = new Dependencies.Cycles(services);
    // asked in another order than the one the cycle was found in: a rotation of the same cycle
    assertThat(cycles.through("b")).contains("b -> c -> a -> b");
    assertThat(cycles.through("a")).contains("a -> b -> c -> a");
    assertThat(cycles.through("c")).contains("c -> a -> b -> c");
    assertThat(cycles.through("tail")).isEmpty();
    assertThat(cycles.through("self")).contains("self -> self");
    assertThat(Dependencies.onCycles(services)).containsExactlyInAnyOrder("a", "b", "c", "self");
  }

  @Test
  void twoCyclesThroughOneServiceGiveEachOfTheirsACycleThroughItself() {
    svc("hub", "x1", "y1");
    svc("x1", "x2");
    svc("x2", "hub");
    svc("y1", "hub");
    var cycles = new Dependencies.Cycles(services);
    assertThat(cycles.through("hub")).contains("hub -> x1 -> x2 -> hub");
    assertThat(cycles.through("x2")).contains("x2 -> hub -> x1 -> x2");
    assertThat(cycles.through("y1")).contains("y1 -> hub -> y1"); // not on the cycle found first
  }

  @Test
  void aLongCycleIsShownWithItsMiddleLeftOutFromEachService() {
    int n = 40;
    for (int i = 0; i < n; i++) svc("s" + i, "s" + ((i + n - 1) % n));
    var cycles = new Dependencies.Cycles(services);
    assertThat(cycles.through("s0")).contains("s0 -> s39 -> s38 -> s37 -> s36 -> s35 -> s34 -> s33 -> ... (24 more)"
        + " -> s8 -> s7 -> s6 -> s5 -> s4 -> s3 -> s2 -> s1 -> s0");
    assertThat(cycles.through("s20")).contains("s20 -> s19 -> s18 -> s17 -> s16 -> s15 -> s14 -> s13 -> ... (24 more)"
        + " -> s28 -> s27 -> s26 -> s25 -> s24 -> s23 -> s22 -> s21 -> s20");
  }
}
