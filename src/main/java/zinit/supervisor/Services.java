package zinit.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The service operations the control plane (JSON-RPC, HTTP, CLI) exposes. Every method is safe to
 * call from many threads at once. Blocking methods say so.
 */
public interface Services {
  /** Every monitored service and its display state, sorted by name. */
  Map<String, String> list();

  ServiceStatus status(String name) throws ZinitException;

  /** Target Up; spawns when dependencies allow. No effect when already running. */
  void start(String name) throws ZinitException;

  /**
   * Target Down; signals, waits up to the timeout, kills, verifies. Blocks until every process of
   * the service is gone.
   */
  void stop(String name) throws ZinitException;

  /**
   * {@link #stop} without waiting for the processes: blocks only while another operation on the
   * same service holds it, and the future completes, on the thread that ends the stop, once every
   * process is gone; it fails as {@code stop} throws (a {@link ZinitException} as itself). Its
   * dependent stages must be short: they may run on the supervisor's loop. This default blocks.
   */
  default CompletableFuture<Void> stopping(String name) {
    try {
      stop(name);
      return CompletableFuture.completedFuture(null);
    } catch (ZinitException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * stop (blocking, as above) then start; the old and new instance never overlap. Atomic with
   * respect to the other operations on the same service.
   */
  void restart(String name) throws ZinitException;

  /**
   * Re-reads the config dir and applies the difference; returns, by service name, what became of
   * each: added, changed, removed, unchanged or "error: ..." (that service keeps its old config).
   */
  Map<String, String> reload() throws ZinitException;

  /** Loads {@code <name>.yaml} from the config dir and starts it. */
  void monitor(String name) throws ZinitException;

  /** Drops a service whose target is Down and that has no process left. */
  void forget(String name) throws ZinitException;

  /** Sends a signal (name with or without SIG prefix) to the service's processes. */
  void kill(String name, String signal) throws ZinitException;

  ProcessStats stats(String name) throws ZinitException;

  /**
   * Stops everything in reverse dependency order and sweeps; blocks until done. The caller (init)
   * then exits or reboots. Refuses new starts from its first moment.
   */
  void shutdown(boolean reboot) throws ZinitException;

  boolean shuttingDown();

  /**
   * Every service for metrics, sorted by name; {@code withUsage} also reads each running
   * instance's resource use. This default asks {@link #status} per service (a service forgotten
   * meanwhile is left out) and knows no start time, exit or usage; the supervisor answers in one
   * pass.
   */
  default List<ServiceSample> samples(boolean withUsage) {
    List<ServiceSample> out = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(list()).entrySet()) {
      try {
        ServiceStatus st = status(e.getKey());
        String display = e.getValue();
        int paren = display.indexOf('(');
        State state = State.valueOf(paren < 0 ? display : display.substring(0, paren));
        out.add(new ServiceSample(e.getKey(), state, st.target(), st.restarts(), null, null, null, null));
      } catch (ZinitException gone) {
        // forgotten between list and status
      }
    }
    return out;
  }
}
