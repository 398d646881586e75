package zinit.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the everyday client command lines without building picocli's model, which costs several
 * times the round trip itself. Anything it does not recognise exactly (help, options it does not
 * know, wrong arity, init, proxy) goes to picocli, which also owns every usage message.
 */
final class FastPath {
  private FastPath() {}

  /** Arity of each command's positional arguments: {min, max}. */
  private static final Map<String, int[]> ARITY =
      Map.ofEntries(
          Map.entry("list", new int[] {0, 0}),
          Map.entry("shutdown", new int[] {0, 0}),
          Map.entry("reboot", new int[] {0, 0}),
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
    int i = 0;
    for (; i < args.length && args[i].startsWith("-"); i++) {
      String a = args[i];
      if (a.equals("-d") || a.equals("--debug")) continue;
      if ((a.equals("-s") || a.equals("--socket")) && i + 1 < args.length) socket = args[++i];
      else if (a.startsWith("--socket=")) socket = a.substring("--socket=".length());
      else return null;
    }
    String command = i < args.length ? args[i++] : "list";
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
}
