package zinit.guard;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * What an accept loop does when accept fails (EMFILE, ENFILE, ENOBUFS): the pending connection
 * stays in the kernel's queue, so retrying at once would spin a core and flood the log. Instead
 * it waits, 10 ms doubling up to 1 s, and logs the episode once.
 */
public final class AcceptBackoff {
  private static final long FIRST_MILLIS = 10;
  private static final long MAX_MILLIS = 1000;

  private final String who;
  private final Episode episode;
  private long delay = FIRST_MILLIS;

  public AcceptBackoff(String who, Consumer<String> log) {
    this.who = who;
    this.episode = new Episode(log);
  }

  /** After a failed accept: logs (once per episode) and sleeps. */
  public void failed(IOException e) throws InterruptedException {
    episode.happened(who + ": accept failed, backing off: " + e.getMessage());
    Thread.sleep(delay);
    delay = Math.min(MAX_MILLIS, delay * 2);
  }

  /** After a successful accept: ends an episode. */
  public void succeeded() {
    if (delay == FIRST_MILLIS) return;
    delay = FIRST_MILLIS;
    episode.over(who + ": accepting again");
  }
}
