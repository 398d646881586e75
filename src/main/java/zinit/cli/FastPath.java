package zinit.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import zinit.daemon.Daemon;
import zinit.daemon.DaemonOptions;
import zinit.os.ProcessExit;

/**
 * Runs the everyday client command lines without building picocli's model, which costs several
 * times the round trip itself. Anything it does not recognise exactly (help, options it does not
 * know, wrong arity, proxy) goes to picocli, which also owns every usage message.
 */
final class FastPath {
  private FastPath() {}

  /** Arity of each command's positional arguments: {min, max}. */
  private static final Map<String, int[]> ARITY =
      Map.ofEntries(
          Map.entry("list", new int[] {0, 0}),
          Map.entry("shutdown", new int[] {0, 0}),
          Map.entry("reboot", new int[] {0, 0}),
          Map.entry("reload", new int[] {0, 0}),
          Map.entry("status", new int[] {1, 1}),
          Map.entry("start", new int[] {1, 1}),
          Map.entry("stop", new int[] {1, 1}),
          Map.entry("restart", new int[] {1, 1}),
          Map.entry("monitor", new int[] {1, 1}),
          Map.entry("forget", new int[] {1, 1}),
          Map.entry("stats", new int[] {1, 1}),
          Map.entry("kill", new int[] {1, 2}),
          Map.entry("log", new int[] {0, 1}));

  /** The exit code, or null when picocli must handle this command line. */
  static Integer tryRun(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    String socket = null;
    boolean debug = false;
    int i = 0;
    for (; i < args.length && args[i].startsWith("-"); i++) {
      String a = args[i];
      if (a.equals("-d") || a.equals("--debug")) {
        debug = true;
        continue;
      }
      if ((a.equals("-s") || a.equals("--socket")) && i + 1 < args.length) socket = args[++i];
      else if (a.startsWith("--socket=")) socket = a.substring("--socket=".length());
      else return null;
    }
    String command = i < args.length ? args[i++] : "list";
    if (command.equals("init")) {
      DaemonOptions options = initOptions(List.of(args).subList(i, args.length), socket, debug, env);
      if (options == null) return null;
      out.flush();
      ProcessExit.now(Daemon.run(options));
      return 0; // not reached: ProcessExit.now does not return
    }
    int[] arity = ARITY.get(command);
    if (arity == null) return null;
    boolean snapshot = false;
    List<String> positional = new ArrayList<>();
    for (; i < args.length; i++) {
      String a = args[i];
      if (command.equals("log") && (a.equals("-s") || a.equals("--snapshot"))) snapshot = true;
      else if (a.startsWith("-")) return null;
      else positional.add(a);
    }
    if (positional.size() < arity[0] || positional.size() > arity[1]) return null;
    try {
      return new Actions(Commands.socketPath(socket, env), out).run(command, positional, snapshot);
    } catch (Exception e) {
      err.println(Actions.message(e));
      return 1;
    }
  }

  /**
   * `init`'s options when each is in a plain form ({@code -c DIR}, {@code --config DIR} or
   * {@code --config=DIR}, given at most once, values not starting with '-'), else null so that
   * picocli parses them and owns every error message. Picocli's model of the whole command line
   * costs more than the rest of zinit's start-up, and its classes (Java 5 bytecode) cannot be
   * kept in the AOT cache.
   */
  static DaemonOptions initOptions(List<String> args, String socket, boolean debug, Map<String, String> env) {
    Map<String, String> values = new java.util.HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      String key =
          switch (name) {
            case "-c", "--config" -> "config";
            case "-b", "--buffer" -> "buffer";
            case "--socket-group" -> "group";
            case "--log-dir" -> "logdir";
            case "--main" -> "main";
            case "--container", "--no-cgroups" -> name;
            default -> null;
          };
      if (key == null || values.containsKey(key)) return null;
      if (key.startsWith("--")) {
        if (value != null) return null;
        values.put(key, "");
        continue;
      }
      if (value == null) {
        if (name.equals(a) && i + 1 < args.size()) value = args.get(++i);
        else return null;
      }
      if (value.isEmpty() || value.startsWith("-")) return null;
      values.put(key, value);
    }
    int buffer;
    try {
      buffer = Integer.parseInt(values.getOrDefault("buffer", "2000"));
    } catch (NumberFormatException e) {
      return null;
    }
    if (buffer < 1) return null;
    boolean cgroups = !values.containsKey("--no-cgroups") && !"1".equals(env.get("ZINIT_NO_CGROUPS"));
    if (values.containsKey("main") && !values.containsKey("--container")) return null; // picocli says why
    return new DaemonOptions(
        Path.of(values.getOrDefault("config", Commands.DEFAULT_CONFIG)),
        Commands.socketPath(socket, env),
        buffer,
        values.containsKey("--container"),
        debug,
        values.get("group"),
        cgroups,
        values.containsKey("logdir") ? Path.of(values.get("logdir")) : DaemonOptions.DEFAULT_LOG_DIR,
        values.get("main"));
  }
}
