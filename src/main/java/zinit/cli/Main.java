package zinit.cli;

import java.io.PrintStream;
import java.util.Map;
import zinit.os.InitHold;

/** The {@code zinit} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code;
    try {
      code = run(args, System.getenv(), System.out, System.err);
    } catch (RuntimeException | Error e) {
      if (!pid1()) throw e;
      e.printStackTrace();
      code = 1;
    }
    System.out.flush();
    System.err.flush();
    // the machine's init holds instead of ending (a kernel panic); a check only PID 1 pays
    if (pid1()) InitHold.ifMachineInit(code);
    // halt, not exit: System.exit sets up the JDK's System.Logger to log the exit (1.1 ms of every
    // CLI call, measured interleaved). Nothing is skipped: the only shutdown hook a command
    // registers is the proxy's, and the proxy returns only once that hook has run.
    Runtime.getRuntime().halt(code);
  }

  /**
   * Whether this JVM is PID 1: as the launcher says (`-Dzinit.pid1`, from its shell's pid, which
   * exec keeps), else through ProcessHandle, whose first use sets up the JDK's process reaper
   * (~30 classes and generated code, ~10 ms of a CLI call).
   */
  private static boolean pid1() {
    String launcher = System.getProperty("zinit.pid1");
    return launcher != null ? launcher.equals("true") : ProcessHandle.current().pid() == 1;
  }

  /** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage error). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Integer fast = FastPath.tryRun(args, env, out, err);
    return fast != null ? fast : Commands.execute(args, env, out, err);
  }
}
