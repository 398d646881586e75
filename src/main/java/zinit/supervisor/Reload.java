package zinit.supervisor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import zinit.config.ConfigException;
import zinit.config.ConfigLoader;
import zinit.config.ServiceConfig;

/**
 * One `reload`, on the loop: compares the config dir as read now with the services monitored and
 * applies the difference. New files are added (and started); a service whose parsed config changed
 * is stopped, then replaced and started again; one whose file is gone is stopped and forgotten;
 * unchanged services are not touched; a file with an error leaves its service on its old config.
 */
final class Reload {
  static final String ADDED = "added";
  static final String CHANGED = "changed";
  static final String REMOVED = "removed";
  static final String UNCHANGED = "unchanged";

  private final Lifecycle lifecycle;
  private final Scheduler loop;
  private final LogSink log;
  private final Map<String, String> outcome = new TreeMap<>();

  Reload(Lifecycle lifecycle, Scheduler loop, LogSink log) {
    this.lifecycle = lifecycle;
    this.loop = loop;
    this.log = log;
  }

  /** Starts applying {@code read}; completes (on the loop) with each service's outcome. */
  CompletableFuture<Map<String, String>> apply(ConfigLoader.LoadResult read) {
    Map<String, String> errors = new TreeMap<>();
    for (ConfigException e : read.errors()) {
      String name = e.serviceOrNull();
      if (name != null) errors.put(name, e.getMessage());
      else log.zinit("reload: " + e.getMessage());
    }
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (Service s : List.copyOf(lifecycle.services.values())) {
      String name = s.name();
      ServiceConfig now = read.services().get(name);
      if (errors.containsKey(name)) {
        outcome.put(name, "error: " + errors.get(name));
      } else if (now == null) {
        outcome.put(name, REMOVED);
        stops.add(after(name, lifecycle.stop(s), () -> lifecycle.services.remove(name, s)));
      } else if (now.equals(s.config)) {
        outcome.put(name, UNCHANGED);
      } else {
        outcome.put(name, CHANGED);
        Target was = s.target; // the stop below sets it Down
        stops.add(after(name, lifecycle.stop(s), () -> {
          if (lifecycle.services.get(name) == s) lifecycle.replace(s, now, was);
        }));
      }
    }
    for (ServiceConfig c : read.services().values()) {
      if (!lifecycle.services.containsKey(c.name()) && !outcome.containsKey(c.name())) {
        outcome.put(c.name(), ADDED);
        lifecycle.add(c);
      }
    }
    errors.forEach((name, message) -> outcome.putIfAbsent(name, "error: " + message));
    outcome.forEach((name, what) -> {
      if (!what.equals(UNCHANGED)) log.zinit("reload: " + name + ": " + what);
    });
    lifecycle.reconcile();
    return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
        .handle((ok, e) -> null)
        .thenCompose(x -> onLoop(lifecycle::spawnsSettled))
        .thenApply(x -> Map.copyOf(outcome));
  }

  /** Runs {@code then} on the loop once {@code stop} is done; a failed stop is reported. */
  private CompletableFuture<Void> after(String name, CompletableFuture<Void> stop, Runnable then) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    stop.whenComplete(
        (ok, e) ->
            loop.execute(
                () -> {
                  if (e != null) {
                    String why = e instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause().getMessage() : e.getMessage();
                    outcome.put(name, "error: could not stop the old instance: " + why);
                    log.zinit("reload: " + name + ": could not stop the old instance: " + why);
                  } else {
                    then.run();
                  }
                  done.complete(null);
                }));
    return done;
  }

  private <T> CompletableFuture<T> onLoop(java.util.function.Supplier<CompletableFuture<T>> task) {
    CompletableFuture<T> out = new CompletableFuture<>();
    loop.execute(() -> task.get().whenComplete((v, e) -> {
      if (e != null) out.completeExceptionally(e);
      else out.complete(v);
    }));
    return out;
  }
}
