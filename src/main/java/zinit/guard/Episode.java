package zinit.guard;

import java.util.function.Consumer;

/**
 * A run of the same trouble (accept failing, a connection cap reached) logged as one line when it
 * starts and one when it ends, with how often it happened, instead of one line per occurrence.
 */
public final class Episode {
  private final Consumer<String> log;
  // guarded by this
  private String current;
  private long count;

  public Episode(Consumer<String> log) {
    this.log = log;
  }

  /** One occurrence; logged only when it starts an episode or differs from the one running. */
  public synchronized void happened(String message) {
    if (message.equals(current)) {
      count++;
      return;
    }
    endQuietly();
    current = message;
    count = 1;
    log.accept(message);
  }

  /** The trouble is over: logs how often it happened, if it ran at all. */
  public synchronized void over(String recovery) {
    if (current == null) return;
    log.accept(recovery + " (after " + count + (count == 1 ? " time: " : " times: ") + current + ")");
    current = null;
    count = 0;
  }

  public synchronized boolean running() {
    return current != null;
  }

  private void endQuietly() {
    if (current != null && count > 1) log.accept(current + " (" + count + " times)");
  }
}
