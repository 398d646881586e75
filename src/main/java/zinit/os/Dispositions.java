package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Signal dispositions zinit inherits. A shell starting a job with {@code &} (no job control) sets
 * SIGINT to SIG_IGN, and an ignored signal survives exec; the JVM then refuses to install a
 * handler for it, silently, so zinit could never be stopped by it.
 */
public final class Dispositions {
  private Dispositions() {}

  /**
   * Resets to SIG_DFL those of SIGTERM, SIGINT and SIGHUP that are ignored, before zinit installs
   * its handlers. Returns the names of the ones that were ignored.
   */
  public static List<String> resetIgnoredStopSignals() {
    List<String> reset = new ArrayList<>();
    int[] numbers = {Flags.SIGTERM, Flags.SIGINT, Flags.SIGHUP};
    String[] names = {"SIGTERM", "SIGINT", "SIGHUP"};
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment old = arena.allocate(Flags.SIGACTION_SIZE, 8);
      for (int i = 0; i < numbers.length; i++) {
        Libc.sigaction(numbers[i], MemorySegment.NULL, old).orThrow("sigaction(" + names[i] + ")");
        if (old.get(ValueLayout.JAVA_LONG, 0) != Flags.SIG_IGN) continue;
        Libc.signal(numbers[i], MemorySegment.NULL).orThrow("signal(" + names[i] + ", SIG_DFL)");
        reset.add(names[i]);
      }
    }
    return reset;
  }
}
