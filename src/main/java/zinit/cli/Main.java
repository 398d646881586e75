package zinit.cli;

import java.io.PrintStream;
import java.util.Map;

/** The {@code zinit} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    System.out.flush();
    System.err.flush();
    // halt, not exit: System.exit sets up the JDK's System.Logger to log the exit (1.1 ms of every
    // CLI call, measured interleaved). Nothing is skipped: the only shutdown hook a command
    // registers is the proxy's, and the proxy returns only once that hook has run.
    Runtime.getRuntime().halt(code);
  }

  /** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage error). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Integer fast = FastPath.tryRun(args, env, out, err);
    return fast != null ? fast : Commands.execute(args, env, out, err);
  }
}
