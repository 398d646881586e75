package zinit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the distribution's man page, bash completion and command list (one line, for the
 * launcher) from the CLI's own picocli model, so none can drift from what `zinit` accepts. Run at
 * build time only: {@code java -cp zinit.jar zinit.cli.Docs man FILE}, {@code ... completion FILE}
 * or {@code ... commands FILE}.
 */
public final class Docs {
  private Docs() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2 || !List.of("man", "completion", "commands").contains(args[0]))
      throw new IllegalArgumentException("usage: Docs man|completion|commands FILE, got " + List.of(args));
    CommandLine cli = new CommandLine(new Commands());
    String text =
        switch (args[0]) {
          case "man" -> manPage(cli.getCommandSpec());
          case "completion" -> AutoComplete.bash("zinit", cli);
          default -> String.join(" ", cli.getSubcommands().keySet()) + "\n";
        };
    Path file = Path.of(args[1]);
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  /** zinit(8) in roff (man(7) macros): synopsis, global options, then each command. */
  static String manPage(CommandSpec root) {
    Roff r = new Roff();
    String version = root.version().length > 0 ? root.version()[0] : "zinit";
    r.macro("TH", "ZINIT", "8", "", version, "System Administration");
    r.macro("SH", "NAME");
    r.text("zinit - " + String.join(" ", root.usageMessage().description()));
    r.macro("SH", "SYNOPSIS");
    r.raw("\\fBzinit\\fR " + synopsis(root) + " [\\fICOMMAND\\fR [\\fIARGS\\fR]]");
    r.macro("SH", "DESCRIPTION");
    r.text(
        "zinit starts the services described by the *.yaml files of its config directory, keeps them"
            + " running, and stops every process a service started when it is stopped. `zinit init`"
            + " runs the supervisor (as PID 1, in a container, or as an ordinary process); every"
            + " other command is a client that talks to it over its Unix socket with JSON-RPC.");
    r.macro("SH", "OPTIONS");
    options(r, root);
    r.macro("SH", "COMMANDS");
    for (CommandSpec spec : inManPageOrder(root)) {
      r.macro("SS", "zinit " + spec.name() + plainSynopsis(spec));
      r.text(String.join(" ", spec.usageMessage().description()));
      options(r, spec);
    }
    r.macro("SH", "ENVIRONMENT");
    r.macro("TP");
    r.raw("\\fBZINIT_SOCKET\\fR");
    r.text("the socket when -s is not given (default " + Commands.DEFAULT_SOCKET + ").");
    r.macro("TP");
    r.raw("\\fBZINIT_NO_CGROUPS\\fR");
    r.text("1: track services without cgroups, like init --no-cgroups.");
    r.macro("SH", "FILES");
    r.macro("TP");
    r.raw("\\fI" + Roff.escape(Commands.DEFAULT_CONFIG) + "NAME.yaml\\fR");
    r.text("one service: exec, test, oneshot, shutdown_timeout, after, signal, log, env, dir.");
    r.macro("TP");
    r.raw("\\fI" + Roff.escape(Commands.DEFAULT_SOCKET) + "\\fR");
    r.text("the control socket (mode 0600, or 0660 with --socket-group).");
    r.macro("SH", "EXIT STATUS");
    r.text("0 on success; 1 with a one-line message on standard error on failure.");
    return r.toString();
  }

  /** The options and parameters a command takes, as a man page list; help options only at the top. */
  private static void options(Roff r, CommandSpec spec) {
    for (OptionSpec o : spec.options()) {
      boolean help = o.usageHelp() || o.versionHelp();
      if (o.hidden() || (spec.parent() != null && (help || o.inherited()))) continue;
      r.macro("TP");
      List<String> names = new ArrayList<>();
      for (String n : o.names()) names.add("\\fB" + Roff.escape(n) + "\\fR");
      String label = o.typeInfo().isBoolean() ? "" : " \\fI" + Roff.escape(o.paramLabel()) + "\\fR";
      r.raw(String.join(", ", names) + label);
      r.text(String.join(" ", o.renderedDescription()));
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      if (p.hidden() || p.renderedDescription().length == 0) continue;
      r.macro("TP");
      r.raw("\\fI" + Roff.escape(p.paramLabel()) + "\\fR");
      r.text(String.join(" ", p.renderedDescription()));
    }
  }

  /** The daemon first, then the client commands as the README lists them; any other after those. */
  private static List<CommandSpec> inManPageOrder(CommandSpec root) {
    List<String> order =
        List.of("init", "list", "status", "start", "stop", "restart", "monitor", "forget", "kill", "log", "stats",
            "shutdown", "reboot", "proxy");
    List<CommandSpec> specs = new ArrayList<>();
    for (String name : order) {
      CommandLine sub = root.subcommands().get(name);
      if (sub != null) specs.add(sub.getCommandSpec());
    }
    for (CommandLine sub : root.subcommands().values())
      if (!order.contains(sub.getCommandName())) specs.add(sub.getCommandSpec());
    return specs;
  }

  private static String synopsis(CommandSpec spec) {
    List<String> parts = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (o.hidden() || o.usageHelp() || o.versionHelp()) continue;
      String label = o.typeInfo().isBoolean() ? "" : " \\fI" + Roff.escape(o.paramLabel()) + "\\fR";
      parts.add("[\\fB" + Roff.escape(o.shortestName()) + "\\fR" + label + "]");
    }
    return String.join(" ", parts);
  }

  /** A subcommand's arguments in plain text, for its section heading. */
  private static String plainSynopsis(CommandSpec spec) {
    StringBuilder b = new StringBuilder();
    for (OptionSpec o : spec.options()) {
      if (o.hidden() || o.inherited() || o.usageHelp() || o.versionHelp()) continue;
      b.append(" [").append(o.shortestName());
      if (!o.typeInfo().isBoolean()) b.append(' ').append(o.paramLabel());
      b.append(']');
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      boolean optional = p.arity().min() == 0;
      b.append(' ').append(optional ? "[" : "").append(p.paramLabel()).append(optional ? "]" : "");
    }
    return b.toString();
  }

  /** Just enough roff: macros with quoted arguments, text lines escaped so none reads as a request. */
  private static final class Roff {
    private final StringBuilder b = new StringBuilder();

    void macro(String name, String... args) {
      b.append('.').append(name);
      for (String a : args) b.append(" \"").append(escape(a).replace("\"", "\\(dq")).append('"');
      b.append('\n');
    }

    void text(String line) {
      raw(escape(line));
    }

    /** A line already in roff (fonts set with \f). */
    void raw(String line) {
      b.append(line.startsWith(".") || line.startsWith("'") ? "\\&" : "").append(line).append('\n');
    }

    static String escape(String s) {
      return s.replace("\\", "\\e").replace("-", "\\-");
    }

    @Override
    public String toString() {
      return b.toString();
    }
  }
}
