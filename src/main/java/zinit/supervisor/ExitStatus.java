package zinit.supervisor;

/** How a reaped process ended, exactly as waitid reported it. */
public sealed interface ExitStatus {
  record Exited(int code) implements ExitStatus {}

  record Killed(int signal) implements ExitStatus {}

  default boolean success() {
    return this instanceof Exited(int code) && code == 0;
  }
}
