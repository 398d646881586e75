package zinit.supervisor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Every service with processes, stopped in reverse dependency order: a service is stopped once no
 * service that lists it in `after` has processes left. Independent branches go in parallel, each
 * under its own timeout, so the whole takes the critical path. A dependency cycle cannot be
 * ordered: what is left when nothing is in flight is stopped together. Runs on the loop.
 *
 * <p>A finished stop re-checks only the services it could have been holding back (its own
 * dependencies, and theirs through any that have no process left), not every service: a shutdown
 * of n services costs n checks, not n². The full pass runs at the start and whenever no stop is in
 * flight (leftovers, a cycle, or the end).
 */
final class ShutdownOrder {
  private final Map<String, Service> services;
  private final Function<Service, CompletableFuture<Void>> stop;
  private final Scheduler loop;
  private final LogSink log;
  private final Set<Service> started = new HashSet<>();
  // Who lists each service in `after`, computed once: services cannot be added while shutting down.
  private final Map<String, List<Service>> dependents = new HashMap<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private int inFlight; // stops started and not yet completed

  ShutdownOrder(
      Map<String, Service> services,
      Function<Service, CompletableFuture<Void>> stop,
      Scheduler loop,
      LogSink log) {
    this.services = services;
    this.stop = stop;
    this.loop = loop;
    this.log = log;
    for (Service s : services.values()) {
      for (String dep : s.config.after()) dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(s);
    }
  }

  /** Starts what can be stopped now; completes when every service has no process left. */
  CompletableFuture<Void> start() {
    advance();
    return done;
  }

  /** The full pass: every service that may stop now; then a cycle's members, or the end. */
  private void advance() {
    boolean busy = false;
    List<Service> waiting = new ArrayList<>();
    for (Service s : services.values()) {
      if (!s.hasProcesses()) continue;
      if (s.stopping != null || dependentsGone(s)) {
        busy = true;
        stop(s);
      } else {
        waiting.add(s);
      }
    }
    if (!busy && !waiting.isEmpty()) {
      log.zinit(
          "dependency cycle among "
              + waiting.stream().map(Service::name).toList()
              + ": stopping them together");
      for (Service s : waiting) stop(s);
      return;
    }
    if (!busy) done.complete(null);
  }

  private boolean dependentsGone(Service s) {
    for (Service d : dependents.getOrDefault(s.name(), List.of())) if (d.hasProcesses()) return false;
    return true;
  }

  private void stop(Service s) {
    if (!started.add(s)) return;
    inFlight++;
    stop.apply(s).whenComplete((ok, e) -> loop.execute(() -> stopped(s)));
  }

  private void stopped(Service s) {
    inFlight--;
    releaseDependencies(s, new HashSet<>());
    if (inFlight == 0) advance();
  }

  /**
   * Stops each dependency of {@code s} whose dependents are all gone now. One that has no process
   * left (it ended on its own) holds nothing back itself: its dependencies are released in turn.
   */
  private void releaseDependencies(Service s, Set<Service> seen) {
    // a stack of its own, not a recursion: a chain of thousands would overflow the loop's
    java.util.ArrayDeque<Service> todo = new java.util.ArrayDeque<>(List.of(s));
    while (!todo.isEmpty()) {
      for (String name : todo.pop().config.after()) {
        Service dep = services.get(name);
        if (dep == null || !seen.add(dep) || started.contains(dep) || !dependentsGone(dep)) continue;
        if (dep.hasProcesses()) stop(dep);
        else todo.push(dep);
      }
    }
  }
}
