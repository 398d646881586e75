package zinit.cli;

import java.io.PrintStream;
import java.util.Map;

/** The {@code zinit} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage error). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Integer fast = FastPath.tryRun(args, env, out, err);
    return fast != null ? fast : Commands.execute(args, env, out, err);
  }
}
