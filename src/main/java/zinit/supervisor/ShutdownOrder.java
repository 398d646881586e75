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
 */
final class ShutdownOrder {
  private final Map<String, Service> services;
  private final Function<Service, CompletableFuture<Void>> stop;
  private final Scheduler loop;
  private final LogSink log;
  private final Set<Service> started = new HashSet<>();
  // Who lists each service in `after`, computed once: services cannot be added while shutting
  // down, and each completed stop re-checks every service, so a scan per check would cost n^2.
  private final Map<String, List<Service>> dependents = new HashMap<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

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

  private void advance() {
    boolean inFlight = false;
    List<Service> waiting = new ArrayList<>();
    for (Service s : services.values()) {
      if (!s.hasProcesses()) continue;
      boolean dependentsGone =
          dependents.getOrDefault(s.name(), List.of()).stream().noneMatch(Service::hasProcesses);
      if (s.stopping != null || dependentsGone) {
        inFlight = true;
        stop(s);
      } else {
        waiting.add(s);
      }
    }
    if (!inFlight && !waiting.isEmpty()) {
      log.zinit(
          "dependency cycle among "
              + waiting.stream().map(Service::name).toList()
              + ": stopping them together");
      for (Service s : waiting) stop(s);
      return;
    }
    if (!inFlight) done.complete(null);
  }

  private void stop(Service s) {
    if (!started.add(s)) return;
    stop.apply(s).whenComplete((ok, e) -> loop.execute(this::advance));
  }
}
