package zinit.supervisor;

import zinit.config.ServiceConfig;

/**
 * A service's test command: run while the service is Spawned, every {@link Lifecycle#TEST_INTERVAL}
 * until it passes, which moves the service to Running. Runs on {@link Lifecycle}'s loop; the
 * service's state changes through the lifecycle's {@link Lifecycle#move}.
 */
final class TestRuns {
  private final Lifecycle lifecycle;
  private final Spawns spawns;
  private final Scheduler loop;
  private final LogSink log;

  TestRuns(Lifecycle lifecycle, Spawns spawns, Scheduler loop, LogSink log) {
    this.lifecycle = lifecycle;
    this.spawns = spawns;
    this.loop = loop;
    this.log = log;
  }

  void runTest(Service s) {
    s.testTimer = null;
    if (!testWanted(s) || s.testRun != null || s.testSpawning) return;
    ServiceConfig c = s.config;
    s.testSpawning = true;
    Run main = s.run;
    spawns.offLoop(spawns.spec(c.name() + "/test", c.test(), c), (p, f) -> testSpawned(s, main, p, f));
  }

  private static boolean testWanted(Service s) {
    return s.run != null && s.run.mainAlive() && s.state == State.Spawned && s.target == Target.Up;
  }

  private void testSpawned(Service s, Run main, ServiceProcess process, SpawnException failure) {
    s.testSpawning = false;
    if (failure != null) {
      log.zinit(s.name() + ": failed to spawn test: " + failure.getMessage());
      if (s.run == main && testWanted(s)) lifecycle.move(s, State.TestFailure, "test: " + failure.getMessage());
      lifecycle.completeStopIfIdle(s);
      lifecycle.reconcile();
      return;
    }
    Run test = new Run(process, loop);
    s.testRun = test;
    spawns.watch(test, status -> onTestExit(s, test, status), () -> lifecycle.onGone(s, test));
    // The run it was to test ended (or a stop came) while the test was being spawned.
    if (s.run != main || !testWanted(s) || s.stopping != null || lifecycle.shuttingDown) lifecycle.terminate(s, test);
  }

  private void onTestExit(Service s, Run test, ExitStatus status) {
    test.exit = status;
    if (s.testRun != test || s.run == null || !s.run.mainAlive() || s.state != State.Spawned) {
      return;
    }
    if (status.success()) {
      lifecycle.move(s, State.Running, null);
      lifecycle.reconcile();
    } else if (s.target == Target.Up) {
      s.testTimer = loop.schedule(Lifecycle.TEST_INTERVAL, () -> runTest(s));
    }
  }
}
