package zinit.rpc;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import zinit.supervisor.ProcessStats;
import zinit.supervisor.ServiceStatus;
import zinit.supervisor.Services;
import zinit.supervisor.Target;
import zinit.supervisor.ZinitException;

/** Services kept in a map, with the real supervisor's error rules; for testing the RPC layer. */
final class FakeServices implements Services {
  record Svc(String state, Target target, int pid, List<String> after) {}

  final Map<String, Svc> services = new ConcurrentHashMap<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  private volatile boolean shuttingDown;
  private int nextPid = 100;

  FakeServices with(String name, String state, Target target, int pid, String... after) {
    services.put(name, new Svc(state, target, pid, List.of(after)));
    return this;
  }

  private Svc get(String name) throws ZinitException {
    Svc s = services.get(name);
    if (s == null) throw new ZinitException.NotFound(name);
    return s;
  }

  @Override
  public Map<String, String> list() {
    Map<String, String> out = new TreeMap<>();
    services.forEach((k, v) -> out.put(k, v.state()));
    return out;
  }

  @Override
  public ServiceStatus status(String name) throws ZinitException {
    Svc s = get(name);
    Map<String, String> after = new TreeMap<>();
    for (String dep : s.after()) after.put(dep, services.containsKey(dep) ? services.get(dep).state() : "Unknown");
    return new ServiceStatus(name, s.pid(), s.state(), s.target(), after, 0, null, null, null);
  }

  @Override
  public synchronized void start(String name) throws ZinitException {
    if (shuttingDown) throw new ZinitException.ShuttingDown();
    Svc s = get(name);
    calls.add("start " + name);
    services.put(name, new Svc("Running", Target.Up, nextPid++, s.after()));
  }

  @Override
  public void stop(String name) throws ZinitException {
    Svc s = get(name);
    if (s.target() == Target.Down) throw new ZinitException.IsDown(name);
    calls.add("stop " + name);
    services.put(name, new Svc("Success", Target.Down, 0, s.after()));
  }

  /** When set, a stop over RPC ({@link #stopping}) ends only once this completes, on its thread. */
  volatile CompletableFuture<Void> stopsEndWith;

  @Override
  public CompletableFuture<Void> stopping(String name) {
    CompletableFuture<Void> gate = stopsEndWith;
    if (gate == null) return Services.super.stopping(name);
    return gate.thenCompose(ok -> Services.super.stopping(name));
  }

  @Override
  public void restart(String name) throws ZinitException {
    stop(name);
    start(name);
  }

  /** Every service counts as unchanged, as after a reload of an untouched config dir. */
  @Override
  public Map<String, String> reload() throws ZinitException {
    if (shuttingDown) throw new ZinitException.ShuttingDown();
    calls.add("reload");
    Map<String, String> out = new TreeMap<>();
    services.keySet().forEach(name -> out.put(name, "unchanged"));
    return out;
  }

  @Override
  public void monitor(String name) throws ZinitException {
    if (shuttingDown) throw new ZinitException.ShuttingDown();
    if (services.containsKey(name)) throw new ZinitException.AlreadyMonitored(name);
    if (name.equals("broken")) throw new ZinitException.ConfigError(name, "broken.yaml:1: field 'exec': is required");
    services.put(name, new Svc("Running", Target.Up, 4242, List.of()));
  }

  @Override
  public void forget(String name) throws ZinitException {
    Svc s = get(name);
    if (s.target() == Target.Up) throw new ZinitException.IsUp(name);
    services.remove(name);
  }

  @Override
  public void kill(String name, String signal) throws ZinitException {
    Svc s = get(name);
    if (s.target() == Target.Down) throw new ZinitException.IsDown(name);
    calls.add("kill " + name + " " + signal);
  }

  @Override
  public ProcessStats stats(String name) throws ZinitException {
    Svc s = get(name);
    if (s.pid() == 0) throw new ZinitException.IsDown(name);
    return new ProcessStats(
        s.pid(), 10485760, 2.5, List.of(new ProcessStats.ChildStats(s.pid() + 1, 5242880, 1.25)), 15728640, 3.75);
  }

  @Override
  public void shutdown(boolean reboot) throws ZinitException {
    if (shuttingDown) throw new ZinitException.ShuttingDown();
    shuttingDown = true;
    calls.add(reboot ? "reboot" : "shutdown");
  }

  @Override
  public boolean shuttingDown() {
    return shuttingDown;
  }
}
