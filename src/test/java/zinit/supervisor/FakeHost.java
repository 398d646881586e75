package zinit.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import zinit.config.Signal;

/** A scripted ProcessHost: the test decides when processes exit and units empty. */
final class FakeHost implements ProcessHost {
  final List<FakeProcess> spawned = new ArrayList<>();
  final List<String> events = new ArrayList<>();
  String failSpawnOf;
  boolean cgroups = true;
  /** Spawns that fail as if out of fds before one succeeds. */
  int shortages;
  private int nextPid = 100;

  final class FakeProcess implements ServiceProcess {
    final SpawnSpec spec;
    final int pid = nextPid++;
    final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    final CompletableFuture<Void> empty = new CompletableFuture<>();
    final List<Signal> signals = new ArrayList<>();
    boolean killed;
    boolean closed;
    /** When true, the process dies of the first stop signal it gets. */
    boolean diesOnSignal = true;
    /** When true, even SIGKILL leaves it (a task stuck in uninterruptible sleep). */
    boolean survivesKill;
    /** When true, the stop signal goes out at once, as to a lone process; the rest is a fork check. */
    boolean signalsAtOnce;
    /** Fork checks run (the rest of an at-once signal). */
    int forkChecks;
    /** What the fork check answers: it found (and signalled) processes the first signal missed. */
    boolean forkFound;

    FakeProcess(SpawnSpec spec) {
      this.spec = spec;
    }

    String unit() {
      return spec.unit();
    }

    /** The main process exits and nothing is left; its output pipes end with it. */
    void exit(ExitStatus status) {
      exit.complete(status);
      empty.complete(null);
      if (!outputEndsLater) endOutput();
    }

    /** As {@link #exit}, but the unit is known empty first, as a real unit reports a lone process. */
    void emptyThenExit(ExitStatus status) {
      empty.complete(null);
      exit.complete(status);
      if (!outputEndsLater) endOutput();
    }

    private boolean outputEnded;
    /** When true, the output pipes end only when the test says ({@link #endOutput}), not at exit. */
    boolean outputEndsLater;

    /** A line on the process's stdout, as zinit's I/O thread delivers it. */
    void print(String line) {
      if (spec.stdout() instanceof OutputSink.Lines l) l.consumer().accept(line);
      if (spec.stdout() instanceof OutputSink.LineBatches l) {
        byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        zinit.logs.LineBatch batch = new zinit.logs.LineBatch();
        batch.reset(bytes);
        batch.add(0, bytes.length, zinit.logs.LineBatch.plain(bytes, 0, bytes.length));
        l.consumer().accept(batch);
        l.afterRead().afterRead(() -> {});
      }
    }

    /** What zinit's I/O thread does at each pipe's EOF. */
    void endOutput() {
      if (outputEnded) return;
      outputEnded = true;
      if (spec.stdout() instanceof OutputSink.Lines l) l.afterRead().ended();
      if (spec.stderr() instanceof OutputSink.Lines l) l.afterRead().ended();
      if (spec.stdout() instanceof OutputSink.LineBatches l) l.afterRead().ended();
      if (spec.stderr() instanceof OutputSink.LineBatches l) l.afterRead().ended();
    }

    @Override
    public int pid() {
      return pid;
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
      return exit;
    }

    @Override
    public int signalAll(Signal... sent) {
      for (Signal signal : sent) {
        signals.add(signal);
        events.add(unit() + ":" + signal);
      }
      for (Signal signal : sent) {
        if (diesOnSignal && signal != Signal.SIGCONT && !exit.isDone()) {
          exit(new ExitStatus.Killed(signal.number()));
        }
      }
      return 1;
    }

    @Override
    public java.util.Optional<java.util.function.BooleanSupplier> signalAllAtOnce(Signal... sent) {
      if (!signalsAtOnce) return java.util.Optional.empty();
      signals.add(sent[0]);
      events.add(unit() + ":" + sent[0]);
      return java.util.Optional.of(
          () -> {
            forkChecks++;
            return forkFound;
          });
    }

    @Override
    public boolean signalMain(Signal signal) {
      signals.add(signal);
      return !exit.isDone();
    }

    @Override
    public void killAll() {
      killed = true;
      events.add(unit() + ":KILL");
      if (!survivesKill) exit(new ExitStatus.Killed(9));
    }

    @Override
    public CompletableFuture<Void> empty() {
      return empty;
    }

    @Override
    public List<Integer> pids() {
      return empty.isDone() ? List.of() : List.of(pid);
    }

    @Override
    public ProcessStats stats() {
      return new ProcessStats(pid, 0, 0, List.of(), 0, 0);
    }

    @Override
    public Usage usage() {
      return new Usage(0, 0, empty.isDone() ? 0 : 1);
    }

    @Override
    public boolean cgroupTracked() {
      return true;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Override
  public ServiceProcess spawn(SpawnSpec spec) throws SpawnException {
    if (spec.unit().equals(failSpawnOf)) throw new SpawnException("exec 'nope': not found");
    if (shortages > 0) {
      shortages--;
      throw new SpawnException("pipe2: EMFILE (Too many open files)", null, true);
    }
    FakeProcess p = new FakeProcess(spec);
    spawned.add(p);
    events.add(spec.unit() + ":spawn");
    return p;
  }

  /** The newest process of a unit. */
  FakeProcess last(String unit) {
    for (int i = spawned.size() - 1; i >= 0; i--) {
      if (spawned.get(i).unit().equals(unit)) return spawned.get(i);
    }
    throw new AssertionError("never spawned: " + unit);
  }

  long count(String unit) {
    return spawned.stream().filter(p -> p.unit().equals(unit)).count();
  }

  @Override
  public boolean cgroupsEnabled() {
    return cgroups;
  }

  @Override
  public List<Integer> sweep(Duration grace) {
    return List.of();
  }

  @Override
  public void sync() {}

  @Override
  public boolean isPid1() {
    return false;
  }

  @Override
  public void reboot(boolean restart) {
    throw new IllegalStateException("never in tests");
  }

  @Override
  public void close() {}
}
