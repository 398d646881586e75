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

  /**
   * The options {@code zinit -s SOCKET init ARGS} runs the daemon with, parsed as a command line is
   * (without picocli), or null when picocli would have to parse them. For the daemon's AOT training
   * (zinit.daemon.AotTraining), which gets its daemon's options here so that what a `zinit init`
   * loads before the daemon runs (this class, FastPath, Commands) is in the daemon's cache: loaded
   * from the jar instead, it had the JVM open the 3.8 MB jar and define them at every start.
   */
  public static zinit.daemon.DaemonOptions initOptions(String socket, java.util.List<String> args, Map<String, String> env) {
    return FastPath.initOptions(args, socket, false, env);
  }

  /** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage error). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Integer fast = FastPath.tryRun(args, env, out, err);
    return fast != null ? fast : Commands.execute(args, env, out, err);
  }
}
