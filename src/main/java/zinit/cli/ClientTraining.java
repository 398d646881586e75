package zinit.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run for the client's AOT cache, at build time (src/main/dist/build):
 * {@code java -XX:AOTCacheOutput=zinit-client.aot -cp zinit.jar zinit.cli.ClientTraining SOCKET}.
 * The JVM loads every class of its AOT cache at start-up, so a client started with the daemon's
 * cache would load the whole daemon too; this cache holds only what the client commands use. The
 * build script runs the daemon, as a separate process so that none of its classes enter this
 * cache, on the services s0, s1, s2 and logger; this runs the everyday commands against it and
 * ends with shutdown. Exit 0 only when every command did what it should.
 */
public final class ClientTraining {
  // generous: a build on a loaded machine must not fail for want of a cache that takes 3 s when idle
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(180);

  private ClientTraining() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) throw new IllegalArgumentException("usage: ClientTraining SOCKET, got " + List.of(args));
    String socket = args[0];
    awaitRunning(socket, 4);
    List<List<String>> commands =
        List.of(
            List.of("list"),
            List.of("status", "logger"),
            List.of("stats", "s0"),
            List.of("log", "-s"),
            List.of("log", "-s", "logger"),
            List.of("kill", "s0", "SIGCONT"),
            List.of("stop", "s1"),
            List.of("start", "s1"),
            List.of("restart", "s2"),
            List.of("status", "nosuch"),
            List.of("list"),
            List.of("shutdown"));
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    for (List<String> command : commands) {
      int code = run(socket, command, sink);
      boolean expectedFailure = command.contains("nosuch");
      if ((code == 0) == expectedFailure) throw new IllegalStateException("zinit " + command + " exited " + code);
    }
    // halt, as Main does: System.exit would put the JDK's System.Logger (and the ServiceLoader
    // that finds its backend) into the cache, which every CLI call then loads for nothing
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  private static int run(String socket, List<String> command, PrintStream out) {
    List<String> line = new ArrayList<>(List.of("-s", socket));
    line.addAll(command);
    return Main.run(line.toArray(String[]::new), System.getenv(), out, out);
  }

  /** How often {@code part} occurs in {@code s}; not String.split, whose regex no client command uses. */
  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) n++;
    return n;
  }

  private static void awaitRunning(String socket, int services) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    while (true) {
      ByteArrayOutputStream listed = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(listed, true, StandardCharsets.UTF_8);
      if (Files.exists(Path.of(socket)) && run(socket, List.of("list"), out) == 0
          && count(listed.toString(StandardCharsets.UTF_8), ": Running") == services) return;
      if (System.nanoTime() > deadline) throw new IllegalStateException("the training daemon's services did not run in time");
      Thread.sleep(20); // a build step only: nothing here is on a user's path
    }
  }
}
