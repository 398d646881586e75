package zinit.supervisor;

import zinit.config.Signal;

/** How a reaped process ended, exactly as waitid reported it. */
public sealed interface ExitStatus {
  record Exited(int code) implements ExitStatus {
    @Override
    public String describe() {
      return "exit code " + code;
    }
  }

  record Killed(int signal) implements ExitStatus {
    @Override
    public String describe() {
      return "killed by " + Signal.ofNumber(signal).map(Enum::name).orElse("signal " + signal);
    }
  }

  /**
   * For the log: "exit code 3", "killed by SIGTERM". Each status's own method rather than a switch
   * over them: a pattern switch is linked at its first run through a class the JDK generates then
   * (SwitchBootstraps.typeSwitch), which the AOT cache does not keep, on the first exit's path
   * (bench/RESULTS.md, 2026-12-01, branch aot).
   */
  String describe();

  default boolean success() {
    return this instanceof Exited(int code) && code == 0;
  }
}
