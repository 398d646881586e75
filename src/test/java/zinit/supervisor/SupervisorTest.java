package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import zinit.config.ServiceConfig;

/** The supervisor's operations on the fake host and clock: its executors are injected. */
class SupervisorTest {
  private final FakeHost host = new FakeHost();
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
}
