package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import zinit.config.HealthCheck;
import zinit.config.LogMode;
import zinit.config.RestartPolicy;
import zinit.config.ServiceConfig;
import zinit.config.Signal;

/** Tier 1: the state machine against a scripted host and a fake clock. No processes, no sleeps. */
class LifecycleTest {
  private final FakeHost host = new FakeHost();
  private final ManualScheduler clock = new ManualScheduler();
  private final List<String> messages = new ArrayList<>();
  private final LogSink sink =
      new LogSink() {
        @Override
        public void line(String unit, boolean stderr, String text) {}

        @Override
        public void zinit(String message) {
          messages.add(message);
        }
      };
  private final ConfigSource configs =
      new ConfigSource() {
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
          return Map.of();
        }
      };
  private final Lifecycle life = new Lifecycle(host, clock, sink, configs, Backoff.DEFAULT, Runnable::run, Runnable::run);

  private static ServiceConfig svc(String name, String... after) {
    return new ServiceConfig(
        name, List.of("/bin/true"), List.of(), false, Duration.ofSeconds(10), List.of(after),
        Signal.SIGTERM, LogMode.RING, Map.of(), Path.of("/"));
  }

  private static ServiceConfig oneshot(String name, String... after) {
    ServiceConfig c = svc(name, after);
    return new ServiceConfig(name, c.exec(), c.test(), true, c.shutdownTimeout(), c.after(),
        c.stopSignal(), c.log(), c.env(), c.dir());
  }

  private static ServiceConfig withTest(String name) {
    ServiceConfig c = svc(name);
    return new ServiceConfig(name, c.exec(), List.of("/bin/check"), false, c.shutdownTimeout(),
        c.after(), c.stopSignal(), c.log(), c.env(), c.dir());
  }

  private static ServiceConfig withTimeout(String name, Duration timeout) {
    ServiceConfig c = svc(name);
    return new ServiceConfig(name, c.exec(), c.test(), false, timeout, c.after(), c.stopSignal(),
        c.log(), c.env(), c.dir());
  }

  private State state(String name) {
    return life.services.get(name).state;
  }

  @Test
  void serviceWithoutTestIsRunningOnceSpawned() {
    life.add(svc("a"));
    assertThat(state("a")).isEqualTo(State.Running);
    assertThat(host.count("a")).isEqualTo(1);
  }

  @Test
  void blockedUntilDependencyRunningAndOneshotDependencyUntilSuccess() {
    life.add(oneshot("setup"));
    life.add(svc("app", "setup"));
    assertThat(state("setup")).isEqualTo(State.Running);
    assertThat(state("app")).isEqualTo(State.Blocked);
    host.last("setup").exit(new ExitStatus.Exited(0));
    assertThat(state("setup")).isEqualTo(State.Success);
    assertThat(state("app")).isEqualTo(State.Running);
  }

  @Test
  void failedOneshotKeepsDependentsBlockedAndIsNeverRestarted() {
    life.add(oneshot("setup"));
    life.add(svc("app", "setup"));
    host.last("setup").exit(new ExitStatus.Exited(3));
    clock.advance(Duration.ofMinutes(5));
    assertThat(life.services.get("setup").display()).isEqualTo("Error(Exited(Pid(100), 3))");
    assertThat(state("app")).isEqualTo(State.Blocked);
    assertThat(host.count("setup")).isEqualTo(1);
  }

  @Test
  void dependencyMonitoredLaterUnblocks() {
    life.add(svc("app", "db"));
    assertThat(state("app")).isEqualTo(State.Blocked);
    assertThat(life.services.get("app").detail)
        .isEqualTo("waiting for 'db', which is not monitored (zinit monitor db)");
    assertThat(messages).containsOnlyOnce("app: waiting for 'db', which is not monitored (zinit monitor db)");
    life.add(svc("db"));
    assertThat(state("app")).isEqualTo(State.Running);
  }

  @Test
  void aDependencyLoadedInTheSameBatchIsNeverReportedUnmonitored() {
    life.addAll(List.of(svc("app", "db"), svc("db")));
    assertThat(state("app")).isEqualTo(State.Running);
    assertThat(messages).noneMatch(m -> m.contains("not monitored"));
  }

  @Test
  void dependencyThatIsMonitoredButNotUpYetIsWaitedForQuietly() {
    life.add(oneshot("setup"));
    life.add(svc("app", "setup"));
    assertThat(life.services.get("app").detail).isEqualTo("waiting for 'setup'");
    assertThat(messages).noneMatch(m -> m.contains("waiting for"));
  }

  @Test
  void dependencyCycleIsReportedNotSilent() {
    life.add(svc("a", "b"));
    life.add(svc("b", "a"));
    assertThat(life.services.get("a").detail).isEqualTo("dependency cycle: a -> b -> a");
    assertThat(messages).anyMatch(m -> m.contains("dependency cycle"));
  }

  @Test
  void serviceWithTestIsSpawnedUntilTestPassesRetriedEveryTwoSeconds() {
    life.add(withTest("web"));
    assertThat(state("web")).isEqualTo(State.Spawned);
    host.last("web/test").exit(new ExitStatus.Exited(1));
    assertThat(state("web")).isEqualTo(State.Spawned);
    clock.advance(Duration.ofMillis(1999));
    assertThat(host.count("web/test")).isEqualTo(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(host.count("web/test")).isEqualTo(2);
    host.last("web/test").exit(new ExitStatus.Exited(0));
    assertThat(state("web")).isEqualTo(State.Running);
  }

  @Test
  void crashingServiceBacksOffExponentiallyToSixtySeconds() {
    life.add(svc("crash"));
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      long before = host.count("crash");
      host.last("crash").exit(new ExitStatus.Exited(1));
      long waited = 0;
      while (host.count("crash") == before) {
        clock.advance(Duration.ofSeconds(1));
        waited++;
      }
      delays.add(waited);
    }
    assertThat(delays).containsExactly(2L, 4L, 8L, 16L, 32L, 60L, 60L);
    assertThat(life.services.get("crash").restarts).isEqualTo(7);
  }

  @Test
  void backoffResetsAfterServiceRanSixtySeconds() {
    life.add(svc("crash"));
    host.last("crash").exit(new ExitStatus.Exited(1));
    clock.advance(Duration.ofSeconds(2));
    host.last("crash").exit(new ExitStatus.Exited(1));
    clock.advance(Duration.ofSeconds(4));
    clock.advance(Duration.ofSeconds(61));
    long before = host.count("crash");
    host.last("crash").exit(new ExitStatus.Exited(1));
    clock.advance(Duration.ofSeconds(2));
    assertThat(host.count("crash")).isEqualTo(before + 1);
  }

  @Test
  void spawnFailureIsFailureWithReasonAndNotRetried() {
    host.failSpawnOf = "bad";
    life.add(svc("bad"));
    assertThat(state("bad")).isEqualTo(State.Failure);
    assertThat(life.services.get("bad").detail).contains("not found");
    assertThat(messages).anyMatch(m -> m.contains("bad: failed to spawn"));
    clock.advance(Duration.ofMinutes(1));
    assertThat(state("bad")).isEqualTo(State.Failure);
  }

  @Test
  void stopSendsStopSignalAndContThenKillsOnlyAfterTimeout() {
    life.add(withTimeout("stubborn", Duration.ofSeconds(3)));
    FakeHost.FakeProcess p = host.last("stubborn");
    p.diesOnSignal = false;
    CompletableFuture<Void> stopped = life.stop(life.services.get("stubborn"));
    assertThat(p.signals).containsExactly(Signal.SIGTERM, Signal.SIGCONT);
    clock.advance(Duration.ofMillis(2999));
    assertThat(p.killed).isFalse();
    assertThat(stopped).isNotDone();
    clock.advance(Duration.ofMillis(1));
    assertThat(p.killed).isTrue();
    assertThat(stopped).isDone();
    assertThat(p.closed).isTrue();
    assertThat(life.services.get("stubborn").detail).contains("killed with SIGKILL");
  }

  @Test
  void aStopWhoseUnitIsEmptyBeforeTheExitIsReportedStillRecordsTheExit() {
    life.add(withTimeout("lone", Duration.ofSeconds(3)));
    FakeHost.FakeProcess p = host.last("lone");
    p.diesOnSignal = false;
    CompletableFuture<Void> stopped = life.stop(life.services.get("lone"));
    p.emptyThenExit(new ExitStatus.Killed(15));
    assertThat(stopped).isDone();
    Service s = life.services.get("lone");
    assertThat(s.state).isEqualTo(State.Error);
    assertThat(s.lastExit).isEqualTo(new ExitStatus.Killed(15));
    assertThat(s.run).isNull();
    assertThat(p.closed).isTrue();
  }

  @Test
  void atOnceStopChecksForForksFiveMillisecondsLaterWhileProcessesRemain() {
    life.add(withTimeout("lone", Duration.ofSeconds(3)));
    FakeHost.FakeProcess p = host.last("lone");
    p.signalsAtOnce = true;
    CompletableFuture<Void> stopped = life.stop(life.services.get("lone"));
    assertThat(p.signals).containsExactly(Signal.SIGTERM);
    clock.advance(Duration.ofMillis(4));
    assertThat(p.forkChecks).isZero();
    clock.advance(Duration.ofMillis(1));
    assertThat(p.forkChecks).isEqualTo(1);
    p.exit(new ExitStatus.Killed(15));
    assertThat(stopped).isDone();
  }

  @Test
  void aForkFoundByTheCheckGetsTheWholeTimeoutBeforeSigkill() {
    life.add(withTimeout("forker", Duration.ofSeconds(3)));
    FakeHost.FakeProcess p = host.last("forker");
    p.signalsAtOnce = true;
    p.diesOnSignal = false;
    p.forkFound = true; // the check at 5 ms finds a child the first signal missed, and signals it
    CompletableFuture<Void> stopped = life.stop(life.services.get("forker"));
    clock.advance(Duration.ofMillis(5));
    assertThat(p.forkChecks).isEqualTo(1);
    clock.advance(Duration.ofMillis(2999)); // 3 s after the first signal, 2995 ms after the child's
    assertThat(p.killed).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(p.killed).isTrue();
    assertThat(stopped).isDone();
  }

  @Test
  void aCheckThatFindsNoForkLeavesTheKillTimerAsItWas() {
    life.add(withTimeout("lone", Duration.ofSeconds(3)));
    FakeHost.FakeProcess p = host.last("lone");
    p.signalsAtOnce = true;
    p.diesOnSignal = false;
    CompletableFuture<Void> stopped = life.stop(life.services.get("lone"));
    clock.advance(Duration.ofMillis(2999));
    assertThat(p.forkChecks).isEqualTo(1);
    assertThat(p.killed).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(p.killed).isTrue();
    assertThat(stopped).isDone();
  }

  @Test
  void shutdownChecksForForksOnlyAHundredMillisecondsAfterTheSignals() {
    life.add(withTimeout("gone", Duration.ofSeconds(3)));
    life.add(withTimeout("lingering", Duration.ofSeconds(3)));
    FakeHost.FakeProcess gone = host.last("gone");
    FakeHost.FakeProcess lingering = host.last("lingering");
    gone.signalsAtOnce = true;
    lingering.signalsAtOnce = true;
    CompletableFuture<Void> done = life.stopAll();
    assertThat(gone.signals).containsExactly(Signal.SIGTERM);
    assertThat(lingering.signals).containsExactly(Signal.SIGTERM);
    clock.advance(Duration.ofMillis(20));
    gone.exit(new ExitStatus.Killed(15));
    clock.advance(Duration.ofMillis(79));
    assertThat(lingering.forkChecks).isZero();
    clock.advance(Duration.ofMillis(1));
    assertThat(gone.forkChecks).isZero();
    assertThat(lingering.forkChecks).isEqualTo(1);
    lingering.exit(new ExitStatus.Killed(15));
    assertThat(done).isDone();
  }

  @Test
  void atOnceStopSkipsTheForkCheckWhenTheUnitIsGoneByThen() {
    life.add(withTimeout("lone", Duration.ofSeconds(3)));
    life.add(withTimeout("other", Duration.ofSeconds(3)));
    FakeHost.FakeProcess lone = host.last("lone");
    FakeHost.FakeProcess other = host.last("other");
    lone.signalsAtOnce = true;
    other.signalsAtOnce = true;
    CompletableFuture<Void> loneStopped = life.stop(life.services.get("lone"));
    clock.advance(Duration.ofMillis(2));
    CompletableFuture<Void> otherStopped = life.stop(life.services.get("other"));
    lone.exit(new ExitStatus.Killed(15));
    assertThat(loneStopped).isDone();
    assertThat(life.services.get("lone").state).isEqualTo(State.Error);
    // one timer for both, due 5 ms after the first signal: the gone unit is not checked
    clock.advance(Duration.ofMillis(3));
    assertThat(lone.forkChecks).isZero();
    assertThat(other.forkChecks).isEqualTo(1);
    other.exit(new ExitStatus.Killed(15));
    assertThat(otherStopped).isDone();
  }

  @Test
  void stopFailsWithThePidsWhenProcessesSurviveSigkillInsteadOfHanging() {
    life.add(withTimeout("stuck", Duration.ofSeconds(1)));
    FakeHost.FakeProcess p = host.last("stuck");
    p.diesOnSignal = false;
    p.survivesKill = true;
    CompletableFuture<Void> stopped = life.stop(life.services.get("stuck"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(p.killed).isTrue();
    assertThat(stopped).isNotDone();
    clock.advance(Lifecycle.KILL_GRACE);
    assertThat(stopped).isCompletedExceptionally();
    assertThat(messages).anyMatch(m -> m.contains("stuck: processes survived SIGKILL: [" + p.pid));
  }

  @Test
  void gracefulStopCompletesWhenProcessesAreGoneWithoutKill() {
    life.add(svc("nice"));
    FakeHost.FakeProcess p = host.last("nice");
    CompletableFuture<Void> stopped = life.stop(life.services.get("nice"));
    assertThat(stopped).isDone();
    assertThat(p.killed).isFalse();
    assertThat(life.services.get("nice").display())
        .isEqualTo("Error(Signaled(Pid(" + p.pid + "), SIGTERM, false))");
  }

  @Test
  void stopDuringRestartDelayDoesNotRespawn() {
    life.add(svc("crash"));
    host.last("crash").exit(new ExitStatus.Exited(1));
    life.stop(life.services.get("crash"));
    clock.advance(Duration.ofMinutes(2));
    assertThat(host.count("crash")).isEqualTo(1);
  }

  @Test
  void restartWaitsForOldInstanceToBeGone() {
    life.add(svc("app"));
    FakeHost.FakeProcess old = host.last("app");
    old.diesOnSignal = false;
    Service s = life.services.get("app");
    life.stop(s).thenRun(() -> life.start(s));
    assertThat(host.count("app")).isEqualTo(1);
    old.exit(new ExitStatus.Exited(0));
    assertThat(host.count("app")).isEqualTo(2);
  }

  @Test
  void stoppingExitedOneshotRemovesItsLeftovers() {
    life.add(oneshot("daemonizer"));
    FakeHost.FakeProcess p = host.last("daemonizer");
    p.exit.complete(new ExitStatus.Exited(0)); // main exits, its daemon stays in the unit
    assertThat(state("daemonizer")).isEqualTo(State.Success);
    CompletableFuture<Void> stopped = life.stop(life.services.get("daemonizer"));
    assertThat(p.signals).contains(Signal.SIGTERM);
    p.empty.complete(null);
    assertThat(stopped).isDone();
  }

  @Test
  void shutdownStopsDependentsFirstAndIndependentBranchesInParallel() {
    life.add(svc("a"));
    life.add(svc("b", "a"));
    life.add(svc("c", "b"));
    life.add(svc("x"));
    for (String n : List.of("a", "b", "c", "x")) host.last(n).diesOnSignal = false;
    host.events.clear();
    CompletableFuture<Void> done = life.stopAll();
    assertThat(host.events).containsExactlyInAnyOrder("c:SIGTERM", "c:SIGCONT", "x:SIGTERM",
        "x:SIGCONT");
    host.last("c").exit(new ExitStatus.Exited(0));
    assertThat(host.events).contains("b:SIGTERM").doesNotContain("a:SIGTERM");
    host.last("b").exit(new ExitStatus.Exited(0));
    assertThat(host.events).contains("a:SIGTERM");
    host.last("a").exit(new ExitStatus.Exited(0));
    assertThat(done).isNotDone();
    host.last("x").exit(new ExitStatus.Exited(0));
    assertThat(done).isDone();
  }

  @Test
  void shutdownStopsEachDependencyOnceItsOwnDependentsAreGoneWhateverOtherBranchesDo() {
    life.add(svc("root"));
    life.add(svc("left", "root"));
    life.add(svc("right", "root"));
    life.add(svc("leftLeaf", "left"));
    life.add(svc("rightLeaf", "right"));
    for (String n : List.of("root", "left", "right", "leftLeaf", "rightLeaf")) {
      host.last(n).diesOnSignal = false;
    }
    host.events.clear();
    CompletableFuture<Void> done = life.stopAll();
    assertThat(host.events).containsExactlyInAnyOrder(
        "leftLeaf:SIGTERM", "leftLeaf:SIGCONT", "rightLeaf:SIGTERM", "rightLeaf:SIGCONT");
    host.last("leftLeaf").exit(new ExitStatus.Exited(0));
    // The left branch goes on while the right leaf is still stopping.
    assertThat(host.events).contains("left:SIGTERM").doesNotContain("right:SIGTERM", "root:SIGTERM");
    host.last("left").exit(new ExitStatus.Exited(0));
    assertThat(host.events).doesNotContain("root:SIGTERM");
    host.last("rightLeaf").exit(new ExitStatus.Exited(0));
    assertThat(host.events).contains("right:SIGTERM").doesNotContain("root:SIGTERM");
    host.last("right").exit(new ExitStatus.Exited(0));
    assertThat(host.events).contains("root:SIGTERM");
    host.last("root").exit(new ExitStatus.Exited(0));
    assertThat(done).isDone();
  }

  @Test
  void shutdownStopsADependencyWhoseDependentEndedOnItsOwnOnceTheBranchBelowIsGone() {
    life.add(svc("base"));
    life.add(svc("middle", "base"));
    life.add(svc("top", "middle"));
    life.add(svc("other"));
    for (String n : List.of("base", "middle", "top", "other")) host.last(n).diesOnSignal = false;
    host.events.clear();
    CompletableFuture<Void> done = life.stopAll();
    assertThat(host.events).containsExactlyInAnyOrder(
        "top:SIGTERM", "top:SIGCONT", "other:SIGTERM", "other:SIGCONT");
    // middle ends by itself while top still runs: nothing below it is signalled early for that.
    host.last("middle").exit(new ExitStatus.Exited(0));
    assertThat(host.events).doesNotContain("middle:SIGTERM", "base:SIGTERM");
    // top gone: base has no dependent with processes left, while the other branch still runs.
    host.last("top").exit(new ExitStatus.Exited(0));
    assertThat(host.events).contains("base:SIGTERM").doesNotContain("middle:SIGTERM");
    host.last("base").exit(new ExitStatus.Exited(0));
    assertThat(done).isNotDone();
    host.last("other").exit(new ExitStatus.Exited(0));
    assertThat(done).isDone();
  }

  @Test
  void shutdownOfDependencyCycleStillStopsEverything() {
    life.add(svc("p", "q"));
    life.add(svc("q", "p"));
    life.add(svc("r"));
    life.add(svc("s", "r"));
    // p and q are blocked by the cycle; make them run to test the ordering anyway.
    CompletableFuture<Void> done = life.stopAll();
    assertThat(done).isDone();
    assertThat(host.last("r").signals).contains(Signal.SIGTERM);
  }

  /** Spawns that wait until the test lets them run, as a busy spawner thread would. */
  private final java.util.ArrayDeque<Runnable> pendingSpawns = new java.util.ArrayDeque<>();

  private final Lifecycle slowSpawns =
      new Lifecycle(host, clock, sink, configs, Backoff.DEFAULT, Runnable::run, pendingSpawns::add);

  private void finishSpawns() {
    Runnable r;
    while ((r = pendingSpawns.poll()) != null) r.run();
  }

  @Test
  void serviceIsNotSpawnedTwiceWhileItsSpawnIsInFlight() {
    slowSpawns.add(svc("a"));
    Service a = slowSpawns.services.get("a");
    slowSpawns.start(a);
    slowSpawns.reconcile();
    assertThat(pendingSpawns).hasSize(1);
    assertThat(a.hasProcesses()).isTrue();
    finishSpawns();
    assertThat(host.count("a")).isEqualTo(1);
    assertThat(a.state).isEqualTo(State.Running);
    assertThat(pendingSpawns).isEmpty();
  }

  @Test
  void dependentIsSpawnedOnlyOnceItsDependencysSpawnHasReturned() {
    slowSpawns.add(svc("db"));
    slowSpawns.add(svc("app", "db"));
    assertThat(pendingSpawns).hasSize(1);
    finishSpawns();
    assertThat(host.count("db")).isEqualTo(1);
    assertThat(host.count("app")).isEqualTo(1);
    assertThat(slowSpawns.services.get("app").state).isEqualTo(State.Running);
  }

  @Test
  void stopWhileSpawnInFlightTerminatesWhatTheSpawnBrings() {
    slowSpawns.add(svc("a"));
    CompletableFuture<Void> stopped = slowSpawns.stop(slowSpawns.services.get("a"));
    assertThat(stopped).isNotDone();
    finishSpawns();
    assertThat(host.last("a").signals).containsExactly(Signal.SIGTERM, Signal.SIGCONT);
    assertThat(stopped).isDone();
    assertThat(host.last("a").closed).isTrue();
  }

  @Test
  void startAfterStopWhileSpawnInFlightStillEndsTheStoppedRunThenRestarts() {
    slowSpawns.add(svc("a"));
    Service a = slowSpawns.services.get("a");
    CompletableFuture<Void> stopped = slowSpawns.stop(a);
    slowSpawns.start(a);
    finishSpawns();
    assertThat(host.last("a").signals).contains(Signal.SIGTERM);
    assertThat(stopped).isDone();
    clock.advance(Duration.ofSeconds(2));
    finishSpawns();
    assertThat(host.count("a")).isEqualTo(2);
    assertThat(a.state).isEqualTo(State.Running);
  }

  @Test
  void failedSpawnInFlightCompletesAPendingStop() {
    host.failSpawnOf = "bad";
    slowSpawns.add(svc("bad"));
    CompletableFuture<Void> stopped = slowSpawns.stop(slowSpawns.services.get("bad"));
    finishSpawns();
    assertThat(stopped).isDone();
    assertThat(slowSpawns.services.get("bad").state).isEqualTo(State.Failure);
  }

  @Test
  void shutdownWaitsForInFlightSpawnsAndStopsWhatTheyBring() {
    slowSpawns.add(svc("a"));
    slowSpawns.add(svc("x"));
    CompletableFuture<Void> done = slowSpawns.stopAll();
    assertThat(done).isNotDone();
    host.failSpawnOf = "x";
    finishSpawns();
    assertThat(host.last("a").signals).contains(Signal.SIGTERM);
    assertThat(done).isDone();
    assertThat(host.count("a")).isEqualTo(1);
  }

  @Test
  void spawnsSettledCompletesOnceEverySpawnInFlightHasReturned() {
    slowSpawns.add(svc("a"));
    slowSpawns.add(svc("b"));
    CompletableFuture<Void> settled = slowSpawns.spawnsSettled();
    assertThat(settled).isNotDone();
    pendingSpawns.poll().run();
    assertThat(settled).isNotDone();
    finishSpawns();
    assertThat(settled).isDone();
    assertThat(slowSpawns.spawnsSettled()).isDone();
  }

  @Test
  void testCommandIsSpawnedOffTheLoop() {
    slowSpawns.add(withTest("web"));
    pendingSpawns.poll().run(); // the service itself
    assertThat(slowSpawns.services.get("web").state).isEqualTo(State.Spawned);
    assertThat(host.count("web/test")).isZero();
    assertThat(pendingSpawns).hasSize(1);
    finishSpawns();
    assertThat(host.count("web/test")).isEqualTo(1);
    host.last("web/test").exit(new ExitStatus.Exited(0));
    assertThat(slowSpawns.services.get("web").state).isEqualTo(State.Running);
  }

  @Test
  void stopWhileTestSpawnInFlightEndsTheTestItBrings() {
    slowSpawns.add(withTest("web"));
    pendingSpawns.poll().run();
    Service web = slowSpawns.services.get("web");
    CompletableFuture<Void> stopped = slowSpawns.stop(web);
    assertThat(web.hasProcesses()).isTrue();
    finishSpawns();
    assertThat(host.last("web/test").signals).contains(Signal.SIGTERM);
    assertThat(stopped).isDone();
    assertThat(web.hasProcesses()).isFalse();
  }

  @Test
  void testThatCannotBeSpawnedIsTestFailureWhileTheServiceRuns() {
    host.failSpawnOf = "web/test";
    life.add(withTest("web"));
    assertThat(state("web")).isEqualTo(State.TestFailure);
    assertThat(life.services.get("web").detail).startsWith("test: ");
    host.last("web").exit(new ExitStatus.Exited(1));
    assertThat(state("web")).isEqualTo(State.Error);
  }

  @Test
  void terminatorReportsTheKillBackSoTheExitShowsIt() {
    life.add(withTimeout("slow", Duration.ofSeconds(1)));
    host.last("slow").diesOnSignal = false;
    Service s = life.services.get("slow");
    life.stop(s);
    clock.advance(Duration.ofSeconds(1));
    assertThat(s.detail).isEqualTo("killed with SIGKILL after shutdown_timeout 1000 ms");
    assertThat(s.state).isEqualTo(State.Error);
  }

  private static ServiceConfig policy(String name, RestartPolicy.Mode mode) {
    return svc(name).withRestart(new RestartPolicy(mode, Duration.ofSeconds(1), Duration.ofSeconds(8), null));
  }

  @Test
  void onFailureRestartsAfterNonZeroExitOrSignalButNotAfterSuccess() {
    life.add(policy("job", RestartPolicy.Mode.ON_FAILURE));
    host.last("job").exit(new ExitStatus.Exited(2));
    clock.advance(Duration.ofSeconds(1));
    assertThat(host.count("job")).isEqualTo(2);
    host.last("job").exit(new ExitStatus.Killed(9));
    clock.advance(Duration.ofSeconds(2));
    assertThat(host.count("job")).isEqualTo(3);
    host.last("job").exit(new ExitStatus.Exited(0));
    clock.advance(Duration.ofMinutes(5));
    assertThat(host.count("job")).isEqualTo(3);
    assertThat(state("job")).isEqualTo(State.Success);
    assertThat(messages).anyMatch(m -> m.contains("job: exited (exit code 0), not restarted (restart: on-failure)"));
  }

  @Test
  void neverLeavesSuccessOrErrorAndEndsLeftovers() {
    life.add(policy("once", RestartPolicy.Mode.NEVER));
    FakeHost.FakeProcess p = host.last("once");
    p.exit.complete(new ExitStatus.Exited(4)); // main gone, a child left in the unit
    assertThat(p.signals).contains(Signal.SIGTERM);
    clock.advance(Duration.ofMinutes(5));
    assertThat(host.count("once")).isEqualTo(1);
    assertThat(state("once")).isEqualTo(State.Error);
    life.start(life.services.get("once"));
    assertThat(host.count("once")).isEqualTo(2);
  }

  @Test
  void restartDelayAndItsCapComeFromTheServiceFile() {
    life.add(policy("crash", RestartPolicy.Mode.ALWAYS));
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long before = host.count("crash");
      host.last("crash").exit(new ExitStatus.Exited(1));
      long waited = 0;
      while (host.count("crash") == before) {
        clock.advance(Duration.ofSeconds(1));
        waited++;
      }
      delays.add(waited);
    }
    assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 8L, 8L);
  }

  @Test
  void startLimitPutsTheServiceInFailureAndStartResetsIt() {
    RestartPolicy p =
        new RestartPolicy(RestartPolicy.Mode.ALWAYS, Duration.ZERO, Duration.ZERO,
            new RestartPolicy.StartLimit(3, Duration.ofSeconds(60)));
    life.add(svc("flappy").withRestart(p));
    for (int i = 0; i < 5; i++) {
      if (state("flappy") == State.Running) host.last("flappy").exit(new ExitStatus.Exited(1));
      clock.advance(Duration.ofSeconds(1)); // past the zero delay's floor (Backoff.FLOOR)
    }
    assertThat(host.count("flappy")).isEqualTo(3);
    Service s = life.services.get("flappy");
    assertThat(s.state).isEqualTo(State.Failure);
    assertThat(s.detail).isEqualTo("start limit reached, more than 3 starts within 60 s (zinit start resets it)");
    clock.advance(Duration.ofMinutes(5));
    assertThat(host.count("flappy")).isEqualTo(3);
    life.start(s);
    assertThat(host.count("flappy")).isEqualTo(4);
    assertThat(s.state).isEqualTo(State.Running);
  }

  @Test
  void spawnShortageIsRetriedUnderTheServicesRestartDelaysEvenWithRestartNever() {
    host.shortages = 2;
    life.add(policy("tight", RestartPolicy.Mode.NEVER));
    Service s = life.services.get("tight");
    assertThat(s.state).isEqualTo(State.Failure);
    assertThat(s.detail).isEqualTo("pipe2: EMFILE (Too many open files); retrying in 1000 ms");
    clock.advance(Duration.ofSeconds(1)); // restart_delay 1 s, then doubled
    assertThat(s.detail).endsWith("retrying in 2000 ms");
    assertThat(host.count("tight")).isZero();
    clock.advance(Duration.ofSeconds(2));
    assertThat(host.count("tight")).isEqualTo(1);
    assertThat(s.state).isEqualTo(State.Running);
  }

  @Test
  void spawnShortageRetriesCountAgainstTheStartLimit() {
    host.shortages = 100;
    RestartPolicy p =
        new RestartPolicy(RestartPolicy.Mode.ALWAYS, Duration.ZERO, Duration.ZERO,
            new RestartPolicy.StartLimit(3, Duration.ofSeconds(60)));
    life.add(svc("starved").withRestart(p));
    for (int i = 0; i < 10; i++) clock.advance(Duration.ofSeconds(1));
    Service s = life.services.get("starved");
    assertThat(s.state).isEqualTo(State.Failure);
    assertThat(s.detail).startsWith("start limit reached");
    assertThat(host.shortages).isEqualTo(97);
  }

  @Test
  void startsOutsideTheIntervalDoNotCount() {
    RestartPolicy p =
        new RestartPolicy(RestartPolicy.Mode.ALWAYS, Duration.ofSeconds(30), Duration.ofSeconds(30),
            new RestartPolicy.StartLimit(2, Duration.ofSeconds(60)));
    life.add(svc("slow").withRestart(p));
    for (int i = 0; i < 5; i++) {
      host.last("slow").exit(new ExitStatus.Exited(1));
      clock.advance(Duration.ofSeconds(31));
    }
    assertThat(host.count("slow")).isEqualTo(6);
    assertThat(state("slow")).isEqualTo(State.Running);
  }

  private final java.util.Map<String, String> probeAnswers = new java.util.HashMap<>();
  private final List<String> probed = new ArrayList<>();
  private final Probes fakeProbes =
      new Probes() {
        @Override
        public CompletableFuture<String> http(String url, Duration timeout) {
          probed.add(url);
          return CompletableFuture.completedFuture(probeAnswers.get(url));
        }

        @Override
        public CompletableFuture<String> tcp(String hostPort, Duration timeout) {
          probed.add(hostPort);
          return CompletableFuture.completedFuture(probeAnswers.get(hostPort));
        }
      };
  private final Lifecycle probing =
      new Lifecycle(host, clock, sink, configs, Backoff.DEFAULT, Runnable::run, Runnable::run, fakeProbes);

  private static ServiceConfig healthy(String name, HealthCheck.Kind kind, String target, int retries, int startPeriod) {
    List<String> argv = kind == HealthCheck.Kind.EXEC ? List.of("/bin/check") : List.of();
    return svc(name).withHealth(new HealthCheck(kind, argv, target, Duration.ofSeconds(10),
        Duration.ofSeconds(5), retries, Duration.ofSeconds(startPeriod)));
  }

  private String health(Lifecycle l, String name) {
    return ModelStatus.of(l.services.get(name)).get("health").toString();
  }

  @Test
  void httpCheckFailingRetriesTimesRestartsTheServiceAndStatusSaysWhy() {
    probing.add(healthy("web", HealthCheck.Kind.HTTP, "http://x/health", 3, 0));
    assertThat(health(probing, "web")).isEqualTo("starting");
    clock.advance(Duration.ofSeconds(10));
    assertThat(probed).containsExactly("http://x/health");
    assertThat(health(probing, "web")).isEqualTo("ok");
    probeAnswers.put("http://x/health", "HTTP 503 from http://x/health");
    clock.advance(Duration.ofSeconds(20));
    assertThat(health(probing, "web")).isEqualTo("failing (2/3): HTTP 503 from http://x/health");
    assertThat(host.count("web")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(10));
    assertThat(host.last("web").signals).contains(Signal.SIGTERM);
    assertThat(probing.services.get("web").detail).isEqualTo("health check failed 3 times: HTTP 503 from http://x/health");
    clock.advance(Duration.ofSeconds(2));
    assertThat(host.count("web")).isEqualTo(2);
    assertThat(health(probing, "web")).isEqualTo("failing (3/3): HTTP 503 from http://x/health");
    probeAnswers.clear();
    clock.advance(Duration.ofSeconds(10));
    assertThat(health(probing, "web")).isEqualTo("ok");
  }

  @Test
  void failuresWithinTheStartPeriodDoNotCount() {
    probeAnswers.put("db:5432", "Connection refused");
    probing.add(healthy("db", HealthCheck.Kind.TCP, "db:5432", 1, 25));
    clock.advance(Duration.ofSeconds(20));
    assertThat(probed).hasSize(2);
    assertThat(host.last("db").signals).isEmpty();
    clock.advance(Duration.ofSeconds(10));
    assertThat(host.last("db").signals).contains(Signal.SIGTERM);
  }

  @Test
  void execCheckIsSpawnedOneAtATimeAndKilledWhenItOverruns() {
    probing.add(healthy("app", HealthCheck.Kind.EXEC, "/bin/check", 2, 0));
    clock.advance(Duration.ofSeconds(10));
    FakeHost.FakeProcess check = host.last("app/health");
    assertThat(check.spec.argv()).containsExactly("/bin/check");
    check.diesOnSignal = false;
    clock.advance(Duration.ofSeconds(4));
    assertThat(host.count("app/health")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(check.killed).isTrue();
    assertThat(health(probing, "app")).isEqualTo("failing (1/2): timed out after 5 s");
    clock.advance(Duration.ofSeconds(10));
    assertThat(host.count("app/health")).isEqualTo(2);
    host.last("app/health").exit(new ExitStatus.Exited(0));
    assertThat(health(probing, "app")).isEqualTo("ok");
  }

  /** App's exec check, failed and gone before the I/O thread has read its output to the end. */
  private FakeHost.FakeProcess checkGoneBeforeItsOutputEnded() {
    probing.add(healthy("app", HealthCheck.Kind.EXEC, "/bin/check", 2, 0));
    clock.advance(Duration.ofSeconds(10));
    FakeHost.FakeProcess check = host.last("app/health");
    check.outputEndsLater = true;
    check.exit(new ExitStatus.Exited(1));
    return check;
  }

  @Test
  void aFailedExecCheckIsJudgedOnceItsOutputHasEndedSoItsLastLineIsShown() {
    FakeHost.FakeProcess check = checkGoneBeforeItsOutputEnded();
    assertThat(health(probing, "app")).isEqualTo("starting");
    check.print("no marker file");
    check.endOutput();
    assertThat(health(probing, "app")).isEqualTo("failing (1/2): exit code 1: no marker file");
  }

  @Test
  void anExecCheckWhosePipeStaysOpenIsJudgedShortlyAfterItIsGone() {
    checkGoneBeforeItsOutputEnded(); // and a process outside its unit holds the pipe
    clock.advance(HealthMonitor.OUTPUT_GRACE.minusMillis(1));
    assertThat(health(probing, "app")).isEqualTo("starting");
    clock.advance(Duration.ofMillis(1));
    assertThat(health(probing, "app")).isEqualTo("failing (1/2): exit code 1");
  }

  @Test
  void stoppingTheServiceKillsItsCheckAndWaitsForIt() {
    probing.add(healthy("app", HealthCheck.Kind.EXEC, "/bin/check", 2, 0));
    clock.advance(Duration.ofSeconds(10));
    FakeHost.FakeProcess check = host.last("app/health");
    check.survivesKill = true; // gone only when the test says so
    CompletableFuture<Void> stopped = probing.stop(probing.services.get("app"));
    assertThat(check.killed).isTrue();
    assertThat(stopped).isNotDone();
    check.exit(new ExitStatus.Killed(9));
    assertThat(stopped).isDone();
    clock.advance(Duration.ofMinutes(1));
    assertThat(host.count("app/health")).isEqualTo(1);
  }

  @Test
  void limitsWithoutCgroupsAreAWarningAndTheServiceStillRuns() {
    host.cgroups = false;
    life.add(svc("web").withLimits(new zinit.config.ResourceLimits(64L << 20, 0, 0, 0, 100)));
    assertThat(state("web")).isEqualTo(State.Running);
    assertThat(host.last("web").spec.limits().nofile()).isEqualTo(100);
    assertThat(messages).contains("web: limits need cgroups, which are off here: memory, cpu and pids not applied");
  }
}
