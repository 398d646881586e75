package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import zinit.config.LogMode;
import zinit.config.ServiceConfig;
import zinit.config.Signal;

/** Issue 12: spawns that fail for a passing shortage, and Errors thrown on the loop. */
class SpawnShortageTest {
  private final FakeHost host = new FakeHost();
  private final ManualScheduler clock = new ManualScheduler();
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final LogSink sink =
      new LogSink() {
        @Override
        public void line(String unit, boolean stderr, String text) {}

        @Override
        public void zinit(String message) {
          messages.add(message);
        }
      };

  private static ConfigSource configs(Runnable onEnvironment) {
    return new ConfigSource() {
      @Override
      public ServiceConfig load(String name) throws ZinitException {
        throw new ZinitException.NotFound(name);
      }

      @Override
      public zinit.config.ConfigLoader.LoadResult loadAll() {
        return new zinit.config.ConfigLoader.LoadResult(Map.of(), List.of());
      }

      @Override
      public Map<String, String> environment(ServiceConfig config) {
        onEnvironment.run();
        return Map.of();
      }
    };
  }

  private static ServiceConfig svc(String name) {
    return new ServiceConfig(
        name, List.of("/bin/true"), List.of(), false, Duration.ofSeconds(10), List.of(),
        Signal.SIGTERM, LogMode.RING, Map.of(), Path.of("/"));
  }

  @Test
  void spawnFailingForLackOfFdsIsRetriedUnderTheBackoffAndShowsItsOwnError() {
    Lifecycle life = new Lifecycle(host, clock, sink, configs(() -> {}), Backoff.DEFAULT, Runnable::run, Runnable::run);
    host.shortages = 2;
    life.add(svc("a"));
    Service a = life.services.get("a");
    assertThat(a.state).isEqualTo(State.Failure);
    assertThat(a.detail).startsWith("pipe2: EMFILE (Too many open files)").contains("retrying in");
    assertThat(a.nextRestart).isNotNull();
    clock.advance(Duration.ofSeconds(60));
    clock.advance(Duration.ofSeconds(60));
    assertThat(a.state).isEqualTo(State.Running);
    assertThat(host.spawned).hasSize(1);
    assertThat(a.restarts).isEqualTo(2);
  }

  @Test
  void spawnFailingForGoodIsNotRetried() {
    Lifecycle life = new Lifecycle(host, clock, sink, configs(() -> {}), Backoff.DEFAULT, Runnable::run, Runnable::run);
    host.failSpawnOf = "a";
    life.add(svc("a"));
    clock.advance(Duration.ofMinutes(5));
    assertThat(life.services.get("a").state).isEqualTo(State.Failure);
    assertThat(life.services.get("a").detail).isEqualTo("exec 'nope': not found");
  }

  @Test
  void errorThrownOnTheLoopFailsTheCallInsteadOfHangingIt() {
    try (LoopScheduler loop = new LoopScheduler()) {
      Supervisor supervisor =
          new Supervisor(host, loop, sink, configs(() -> {
            throw new StackOverflowError("deep");
          }));
      assertTimeoutPreemptively(
          Duration.ofSeconds(30),
          () -> {
            assertThatThrownBy(() -> supervisor.load(List.of(svc("a"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("StackOverflowError");
            // the loop survived and answers the next call
            assertThat(supervisor.list()).containsKey("a");
          });
    }
  }
}
