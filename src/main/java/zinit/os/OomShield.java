package zinit.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * zinit out of the OOM killer's way. Under a memory limit zinit shares with its services (a
 * container's, or the machine's), the kernel's OOM killer chooses by footprint, and a JVM is larger
 * than many a service: killed, zinit would leave its services unsupervised (or, as a container's
 * PID 1, take the whole container with it). So zinit lowers its own {@code oom_score_adj} to
 * {@link #ZINIT}, as containerd does for itself: the last process chosen, not one never chosen, so
 * that a zinit gone wrong can still be. Its services get back the value zinit was started with
 * (children inherit it): the spawn's trampoline writes it before the program runs.
 *
 * <p>Lowering needs {@code CAP_SYS_RESOURCE} (a default Docker container's root lacks it): without
 * it nothing changes, and the log of a zinit run as root says so (another user's zinit seldom has
 * it, and says nothing). The machine's init is never chosen by the kernel: nothing is done there.
 */
public final class OomShield {
  private OomShield() {}

  /** zinit's own value: -1000 would exempt it even from being the last resort. */
  static final int ZINIT = -999;

  private static final Path SELF = Path.of("/proc/self/oom_score_adj");

  private static final int CAP_SYS_RESOURCE = 24;

  /** Whether this process has CAP_SYS_RESOURCE in its effective set. */
  private static boolean mayLower() {
    return (ProcFs.effectiveCapabilities() & (1L << CAP_SYS_RESOURCE)) != 0;
  }

  /**
   * Lowers zinit's own {@code oom_score_adj}; returns the value its services must get back, or
   * empty when zinit's own value was left as it was (what it says in {@code log}).
   */
  static OptionalInt lower(Consumer<String> log) {
    if (MachinePower.machineInit()) return OptionalInt.empty();
    // Without the capability only root says why (another user's zinit would say it at every start)
    if (!mayLower() && Libc.geteuid() != 0) return OptionalInt.empty();
    int inherited;
    try {
      inherited = Integer.parseInt(Files.readString(SELF).trim());
    } catch (IOException | NumberFormatException e) {
      log.accept("cannot read " + SELF + " (" + e.getMessage() + "): zinit's oom_score_adj left as it is");
      return OptionalInt.empty();
    }
    if (inherited <= ZINIT) return OptionalInt.empty(); // already shielded by whoever started zinit
    try {
      Files.writeString(SELF, Integer.toString(ZINIT));
    } catch (IOException e) {
      log.accept("oom_score_adj stays " + inherited + " (lowering it needs CAP_SYS_RESOURCE: " + e.getMessage()
          + "): under a shared memory limit the OOM killer may choose zinit before a service");
      return OptionalInt.empty();
    }
    log.accept("oom_score_adj " + ZINIT + " (the OOM killer's last choice); services get " + inherited);
    return OptionalInt.of(inherited);
  }
}
