package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import zinit.config.ConfigException;
import zinit.config.ConfigLoader;
import zinit.config.ServiceConfig;

/** The supervisor's operations on the fake host and clock: its executors are injected. */
class SupervisorTest {
  private final FakeHost host = new FakeHost();
  /** What the config dir holds for a reload. */
  private final Map<String, ServiceConfig> dir = new java.util.TreeMap<>();
  private final List<ConfigException> errors = new java.util.ArrayList<>();
  private final ManualScheduler clock = new ManualScheduler();
  private final LogSink sink =
      new LogSink() {
        @Override
        public void line(String unit, boolean stderr, String text) {}

        @Override
        public void zinit(String message) {}
      };
  private final ConfigSource configs =
      new ConfigSource() {
        @Override
        public ServiceConfig load(String name) throws ZinitException {
          if (name.equals("late")) return ServiceConfig.of("late", List.of("/bin/late"));
          throw new ZinitException.NotFound(name);
        }

        @Override
        public ConfigLoader.LoadResult loadAll() {
          return new ConfigLoader.LoadResult(dir, errors);
        }

        @Override
        public Map<String, String> environment(ServiceConfig config) {
          return Map.of();
        }
      };
  private final Supervisor supervisor =
      new Supervisor(host, clock, sink, configs, Runnable::run, Runnable::run);

  @Test
  void loadStartsServicesAndStatusShowsThem() throws Exception {
    supervisor.load(List.of(ServiceConfig.of("a", List.of("/bin/a"))));
    assertThat(supervisor.list()).containsEntry("a", "Running");
    ServiceStatus st = supervisor.status("a");
    assertThat(st.pid()).isEqualTo(host.last("a").pid);
    assertThat(st.target()).isEqualTo(Target.Up);
  }

  @Test
  void stopReturnsWhenGoneAndForgetThenDropsIt() throws Exception {
    supervisor.load(List.of(ServiceConfig.of("a", List.of("/bin/a"))));
    assertThatThrownBy(() -> supervisor.forget("a")).isInstanceOf(ZinitException.IsUp.class);
    supervisor.stop("a");
    assertThat(host.last("a").closed).isTrue();
    supervisor.forget("a");
    assertThat(supervisor.list()).isEmpty();
  }

  @Test
  void restartEndsTheOldInstanceBeforeTheNewOne() throws Exception {
    supervisor.load(List.of(ServiceConfig.of("a", List.of("/bin/a"))));
    FakeHost.FakeProcess old = host.last("a");
    supervisor.restart("a");
    assertThat(host.count("a")).isEqualTo(2);
    assertThat(old.closed).isTrue();
    assertThat(supervisor.list()).containsEntry("a", "Running");
  }

  @Test
  void monitorLoadsFromTheConfigSourceAndRefusesASecondTime() throws Exception {
    supervisor.monitor("late");
    assertThat(host.count("late")).isEqualTo(1);
    assertThatThrownBy(() -> supervisor.monitor("late"))
        .isInstanceOf(ZinitException.AlreadyMonitored.class);
    assertThatThrownBy(() -> supervisor.status("nope")).isInstanceOf(ZinitException.NotFound.class);
  }

  @Test
  void shutdownRefusesNewStarts() throws Exception {
    supervisor.load(List.of(ServiceConfig.of("a", List.of("/bin/a"))));
    supervisor.shutdown(false);
    assertThat(supervisor.terminated()).isCompletedWithValue(List.of());
    assertThatThrownBy(() -> supervisor.start("a")).isInstanceOf(ZinitException.ShuttingDown.class);
    clock.advance(Duration.ofMinutes(1));
    assertThat(host.count("a")).isEqualTo(1);
  }

  private static ServiceConfig cfg(String name, String exe) {
    return ServiceConfig.of(name, List.of(exe));
  }

  @Test
  void reloadAppliesOnlyTheDifference() throws Exception {
    for (String n : List.of("same", "changed", "gone", "broken")) dir.put(n, cfg(n, "/bin/" + n));
    supervisor.load(dir.values());
    FakeHost.FakeProcess same = host.last("same");
    FakeHost.FakeProcess oldChanged = host.last("changed");
    FakeHost.FakeProcess broken = host.last("broken");
    dir.put("changed", cfg("changed", "/bin/changed-v2"));
    dir.remove("gone");
    dir.remove("broken");
    errors.add(new ConfigException("/etc/zinit/broken.yaml", 2, "restart", "must be one of always, on-failure, never"));
    dir.put("new", cfg("new", "/bin/new"));

    Map<String, String> outcome = supervisor.reload();

    assertThat(outcome)
        .containsEntry("same", "unchanged")
        .containsEntry("changed", "changed")
        .containsEntry("gone", "removed")
        .containsEntry("new", "added")
        .hasEntrySatisfying("broken", v -> assertThat(v).startsWith("error: /etc/zinit/broken.yaml:2: field 'restart'"));
    assertThat(same.signals).isEmpty();
    assertThat(broken.signals).isEmpty();
    assertThat(oldChanged.closed).isTrue();
    assertThat(host.last("changed").spec.argv()).containsExactly("/bin/changed-v2");
    assertThat(host.last("gone").closed).isTrue();
    assertThat(supervisor.list()).containsOnlyKeys("same", "changed", "broken", "new")
        .containsEntry("changed", "Running").containsEntry("new", "Running");
  }

  @Test
  void reloadKeepsAStoppedServiceStoppedWithItsNewConfig() throws Exception {
    dir.put("idle", cfg("idle", "/bin/idle"));
    supervisor.load(dir.values());
    supervisor.stop("idle");
    dir.put("idle", cfg("idle", "/bin/idle-v2"));
    assertThat(supervisor.reload()).containsEntry("idle", "changed");
    assertThat(host.count("idle")).isEqualTo(1);
    assertThat(supervisor.status("idle").target()).isEqualTo(Target.Down);
    supervisor.start("idle");
    assertThat(host.last("idle").spec.argv()).containsExactly("/bin/idle-v2");
  }

  @Test
  void restartHoldsTheServiceSoAConcurrentStopWaitsForIt() throws Exception {
    // Threads race here, so the supervisor runs on a real loop (the manual one is single-threaded).
    try (LoopScheduler real = new LoopScheduler()) {
      Supervisor supervisor = new Supervisor(host, real, sink, configs, Runnable::run, Runnable::run);
      restartHoldsTheService(supervisor);
    }
  }

  private void restartHoldsTheService(Supervisor supervisor) throws Exception {
    supervisor.load(List.of(cfg("a", "/bin/a")));
    FakeHost.FakeProcess first = host.last("a");
    first.diesOnSignal = false;
    Thread restarter = Thread.ofPlatform().start(() -> {
      try {
        supervisor.restart("a");
      } catch (ZinitException e) {
        throw new AssertionError(e);
      }
    });
    // The restart is blocked in its stop; a concurrent stop must queue behind the whole restart.
    while (supervisor.status("a").target() == Target.Up) Thread.onSpinWait();
    Thread stopper = Thread.ofPlatform().start(() -> {
      try {
        supervisor.stop("a");
      } catch (ZinitException e) {
        throw new AssertionError(e);
      }
    });
    first.exit(new ExitStatus.Exited(0));
    restarter.join();
    stopper.join();
    // Had the stop slipped in between the restart's halves, the restart's start would win (Up).
    assertThat(host.count("a")).isEqualTo(2);
    assertThat(supervisor.status("a").target()).isEqualTo(Target.Down);
    assertThat(host.last("a").closed).isTrue();
  }

  @Test
  void reloadKeepsTheLoadErrorOfAFileStillBrokenAndForgetsItOnceTheFileLoads() throws Exception {
    supervisor.loadFailed("b", "b.yaml:1: bad");
    errors.add(new ConfigException("/etc/zinit/b.yaml", 2, "exec", "still bad"));
    supervisor.reload();
    assertThatThrownBy(() -> supervisor.status("b"))
        .isInstanceOfSatisfying(
            ZinitException.NotFound.class, e -> assertThat(e.loadError()).contains("b.yaml:2").contains("still bad"));
    errors.clear();
    dir.put("b", ServiceConfig.of("b", List.of("/bin/b")));
    supervisor.reload();
    assertThat(supervisor.status("b").state()).isEqualTo("Running");
    supervisor.stop("b");
    supervisor.forget("b");
    assertThatThrownBy(() -> supervisor.status("b"))
        .isInstanceOfSatisfying(ZinitException.NotFound.class, e -> assertThat(e.loadError()).isNull());
  }
}
