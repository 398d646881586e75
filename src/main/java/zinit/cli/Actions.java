package zinit.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zinit.rpc.RpcClient;

/** What each client command does on the socket; shared by the picocli commands and the fast path. */
final class Actions {
  private static final List<String> STATUS_FIELDS =
      List.of("name", "pid", "state", "target", "after", "restarts", "next_restart", "detail",
          "restart", "start_limit", "health", "oom_kills", "user", "limits", "log_file");
  private static final List<String> STATS_FIELDS =
      List.of("name", "pid", "memory_usage", "cpu_usage", "children", "cgroup");

  private final Path socket;
  private final PrintStream out;

  Actions(Path socket, PrintStream out) {
    this.socket = socket;
    this.out = out;
  }

  /** Runs one command by name with its positional arguments (already checked for arity). */
  int run(String command, List<String> args, boolean snapshot) throws Exception {
    String first = args.isEmpty() ? null : args.get(0);
    switch (command) {
      case "list" -> out.print(Yaml.document(call("service_list", null)));
      case "status" -> out.print(Yaml.document(pick(call("service_status", name(first)), STATUS_FIELDS)));
      case "stats" -> out.print(Yaml.document(pick(call("service_stats", name(first)), STATS_FIELDS)));
      case "start" -> call("service_start", name(first));
      case "stop" -> call("service_stop", name(first));
      case "monitor" -> call("service_monitor", name(first));
      case "forget" -> call("service_forget", name(first));
      case "kill" -> call("service_kill", Map.of("name", first, "signal", args.size() > 1 ? args.get(1) : "SIGTERM"));
      case "shutdown" -> call("system_shutdown", null);
      case "reboot" -> call("system_reboot", null);
      // server side: stop (every process gone) then start, atomic for the service
      case "restart" -> call("service_restart", name(first));
      case "reload" -> out.print(Yaml.document(call("system_reload", null)));
      case "log" -> log(snapshot, first, null);
      default -> throw new IllegalArgumentException("not a client command: " + command);
    }
    return 0;
  }

  /** {@code formatOrNull}: "time" or "json" for `log -t`/`--json`; null for the original's lines. */
  void log(boolean snapshot, String filter, String formatOrNull) throws Exception {
    Map<String, Object> params = new LinkedHashMap<>();
    if (filter != null) params.put("name", filter);
    if (formatOrNull != null) params.put("format", formatOrNull);
    boolean terminal = out == System.out && stdoutIsTerminal();
    RpcClient c = RpcClient.connect(socket);
    try {
      if (snapshot) {
        if (c.call("stream_currentLogs", params) instanceof List<?> lines) for (Object l : lines) out.println(shown(l, terminal));
        return;
      }
      params.put("history", true);
      c.call("stream_subscribeLogs", params);
      Map<String, Object> note;
      while ((note = c.nextNotification()) != null) {
        out.println(shown(note.get("result"), terminal));
        if (out.checkError()) return; // our reader (e.g. head) went away
      }
    } finally {
      c.closeUnshared();
    }
  }

  /**
   * A log line as printed: on a terminal a service's control characters (ESC, BEL, CR, C1) are
   * shown in caret notation ({@code ^[}, {@code ^G}; C1 as {@code \x9b}) so that what a service
   * prints cannot set the title, clear the screen or write the clipboard of the operator's
   * terminal; elsewhere (a pipe, a file) the line is left as it is.
   */
  static String shown(Object line, boolean terminal) {
    String s = String.valueOf(line);
    if (!terminal) return s;
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f);
      if (control && b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
      if (b == null) continue;
      if (!control) b.append(c);
      else if (c == 0x7f) b.append("^?");
      else if (c < 0x20) b.append('^').append((char) (c + '@'));
      else b.append(String.format("\\x%02x", (int) c));
    }
    return b == null ? s : b.toString();
  }

  /** Whether fd 1 is a terminal (a tty or a pseudo-terminal), read from /proc without a native call. */
  private static boolean stdoutIsTerminal() {
    try {
      String target = java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  private Object call(String method, Object params) throws Exception {
    RpcClient c = RpcClient.connect(socket);
    try {
      return c.call(method, params);
    } finally {
      c.closeUnshared();
    }
  }

  private static Map<String, Object> name(String service) {
    return Map.of("name", service);
  }

  private static Object pick(Object value, List<String> keys) {
    if (!(value instanceof Map<?, ?> m)) return value;
    Map<String, Object> picked = new LinkedHashMap<>();
    for (String k : keys) if (m.containsKey(k)) picked.put(k, m.get(k));
    return picked;
  }

  /**
   * What a failed command prints on stderr: one line saying what failed, and for an error reply
   * with a {@code data.hint} a second line "hint: ..." saying what to do about it.
   */
  static String message(Throwable e) {
    String msg =
        e instanceof RpcClient.RemoteError || e instanceof java.io.IOException || e instanceof Commands.Failure
            ? e.getMessage()
            : e.toString();
    String line = msg == null ? "failed" : msg.replace('\n', ' ').strip();
    if (e instanceof RpcClient.RemoteError r && r.data() instanceof Map<?, ?> data && data.get("hint") instanceof String hint && !hint.isBlank()) {
      return line + "\nhint: " + hint.replace('\n', ' ').strip();
    }
    return line;
  }
}
