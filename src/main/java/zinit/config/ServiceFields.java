package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Turns the tree of one service file into a {@link ServiceConfig}, checking every field. The same
 * checks serve YAML files (with lines) and service_create's JSON (without).
 */
final class ServiceFields {
  private static final Set<String> KNOWN =
      Set.of(
          "exec", "test", "oneshot", "shutdown_timeout", "after", "signal", "log", "env", "dir",
          "log_file", "log_size", "log_keep", "log_format");
  private static final Set<String> KNOWN_SIGNAL = Set.of("stop");
  // so that timeout.toNanos() can never overflow for whoever uses it
  private static final long MAX_TIMEOUT_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

  private final String file;
  private final ToIntFunction<String> lineOf;
  private final BiFunction<String, JsonNode, String> textOf;
  private final Consumer<String> warnings;
  /** The config dir, where a relative env_file is; null when unknown (checked at spawn then). */
  Path configDir;

  private ServiceFields(
      String file, ToIntFunction<String> lineOf, BiFunction<String, JsonNode, String> textOf, Consumer<String> warnings) {
    this.file = file;
    this.lineOf = lineOf;
    this.textOf = textOf;
    this.warnings = warnings;
  }

  static ServiceConfig fromYaml(String file, String name, YamlTree tree, Consumer<String> warnings)
      throws ConfigException {
    return fromYaml(file, name, tree, warnings, Path.of(file).toAbsolutePath().getParent());
  }

  /** As above, with env_file read relative to {@code configDir} (the file label is no path then). */
  static ServiceConfig fromYaml(String file, String name, YamlTree tree, Consumer<String> warnings, Path configDir)
      throws ConfigException {
    ServiceFields fields = new ServiceFields(file, tree::lineOf, tree::textOf, warnings);
    fields.configDir = configDir;
    return fields.build(name, tree.root());
  }

  static ServiceConfig fromJson(String file, String name, JsonNode root, Consumer<String> warnings)
      throws ConfigException {
    return fromJson(file, name, root, warnings, null);
  }

  /** As above, with env_file read relative to {@code configDir}. */
  static ServiceConfig fromJson(String file, String name, JsonNode root, Consumer<String> warnings, Path configDir)
      throws ConfigException {
    ServiceFields fields = new ServiceFields(file, path -> 0, (path, node) -> node.asText(), warnings);
    fields.configDir = configDir;
    return fields.build(name, root);
  }

  private ServiceConfig build(String name, JsonNode root) throws ConfigException {
    if (root == null || !root.isObject()) {
      throw new ConfigException(file, lineOf.applyAsInt(""), null,
          "a service file must be a mapping of fields, got " + kind(root));
    }
    warnUnknown(root, "", ModelFields.known(KNOWN));
    JsonNode exec = root.get("exec");
    if (absent(exec)) throw new ConfigException(file, lineOf.applyAsInt(""), "exec", "required field is missing");
    List<String> argv = command(exec, "exec");
    if (argv.isEmpty()) throw error("exec", "command is empty");
    JsonNode test = root.get("test");
    List<String> testArgv = absent(test) ? List.of() : command(test, "test");
    LogMode log = log(root.get("log"));
    LogFile logFile = LogFileFields.parse(name, root, log == LogMode.FILE, this::error, this::warn);
    return new ServiceConfig(
        name,
        argv,
        testArgv,
        oneshot(root.get("oneshot")),
        timeout(root.get("shutdown_timeout")),
        after(name, root.get("after")),
        stopSignal(root.get("signal")),
        log,
        new ModelFields(this).withEnvFile(root, env(root.get("env"))),
        dir(root.get("dir")),
        new ModelFields(this).restart(root),
        new ModelFields(this).identity(root),
        new ModelFields(this).health(root.get("health")),
        new ModelFields(this).limits(root.get("limits")),
        logFile);
  }

  List<String> command(JsonNode node, String field) throws ConfigException {
    String text = string(node, field);
    if (text.indexOf('\0') >= 0) throw error(field, "contains a NUL character");
    try {
      return ShellWords.split(text);
    } catch (IllegalArgumentException e) {
      throw error(field, "cannot split command line: " + e.getMessage());
    }
  }

  private boolean oneshot(JsonNode node) throws ConfigException {
    if (absent(node)) return false;
    if (!node.isBoolean()) throw error("oneshot", "must be true or false, got " + show(node));
    return node.booleanValue();
  }

  private Duration timeout(JsonNode node) throws ConfigException {
    if (absent(node)) return ServiceConfig.DEFAULT_SHUTDOWN_TIMEOUT;
    String f = "shutdown_timeout";
    if (!node.isIntegralNumber()) throw error(f, "must be a whole number of seconds, got " + show(node));
    if (node.bigIntegerValue().signum() < 0) throw error(f, "must not be negative, got " + node.asText());
    if (!node.canConvertToLong() || node.longValue() > MAX_TIMEOUT_SECONDS) {
      throw error(f, "must be at most " + MAX_TIMEOUT_SECONDS + " seconds, got " + node.asText());
    }
    return Duration.ofSeconds(node.longValue());
  }

  private List<String> after(String self, JsonNode node) throws ConfigException {
    if (absent(node)) return List.of();
    if (!node.isArray()) throw error("after", "must be a list of service names, got " + show(node));
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String f = YamlTree.item("after", i);
      JsonNode item = node.get(i);
      String dep = scalarText(item, f);
      if (dep == null) throw error(f, "must be a service name, got " + show(item));
      try {
        ServiceFiles.checkName(dep);
      } catch (IllegalArgumentException e) {
        throw error(f, e.getMessage());
      }
      if (dep.equals(self)) throw error(f, "a service cannot come after itself");
      if (out.contains(dep)) warn(f, "'" + dep + "' is listed twice");
      else out.add(dep);
    }
    return out;
  }

  private Signal stopSignal(JsonNode node) throws ConfigException {
    if (absent(node)) return Signal.SIGTERM;
    if (!node.isObject()) throw error("signal", "must be a mapping like {stop: SIGTERM}, got " + show(node));
    warnUnknown(node, "signal", KNOWN_SIGNAL);
    JsonNode stop = node.get("stop");
    if (absent(stop)) return Signal.SIGTERM;
    if (!stop.isTextual() && !stop.isIntegralNumber()) {
      throw error("signal.stop", "must be a signal name, got " + show(stop));
    }
    return Signal.parse(stop.asText())
        .orElseThrow(() -> error("signal.stop", "unknown signal '" + stop.asText() + "'"));
  }

  private LogMode log(JsonNode node) throws ConfigException {
    if (node == null) return LogMode.RING;
    if (node.isNull()) return LogMode.NULL; // the documented `log: null` is YAML's null
    if (!node.isTextual()) throw error("log", "must be one of ring, stdout, null, file; got " + show(node));
    return switch (node.textValue().strip().toLowerCase(java.util.Locale.ROOT)) {
      case "ring" -> LogMode.RING;
      case "stdout" -> LogMode.STDOUT;
      case "null", "none" -> LogMode.NULL;
      case "file" -> LogMode.FILE;
      default -> throw error("log", "must be one of ring, stdout, null, file; got " + show(node));
    };
  }

  private Map<String, String> env(JsonNode node) throws ConfigException {
    if (absent(node)) return Map.of();
    if (!node.isObject()) throw error("env", "must be a mapping of NAME: value, got " + show(node));
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      String f = YamlTree.child("env", key);
      if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
        throw error(f, "an environment variable name must be non-empty, without '=' or NUL");
      }
      JsonNode v = e.getValue();
      if (v.isContainerNode()) throw error(f, "must be a plain value, got " + show(v));
      String value = v.isNull() ? "" : textOf.apply(f, v);
      if (value.indexOf('\0') >= 0) throw error(f, "contains a NUL character");
      out.put(key, value);
    }
    return out;
  }

  private Path dir(JsonNode node) throws ConfigException {
    if (absent(node)) return Path.of("/");
    String text = string(node, "dir");
    if (text.isEmpty()) return Path.of("/");
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw error("dir", "not a valid path: " + e.getReason());
    }
  }

  /**
   * A string field's text. A plain boolean or number is taken as written ({@code exec: true},
   * {@code test: yes}, {@code exec: 42}), as the original's serde_yaml 0.8 reads any scalar into
   * a string field; a mapping, list or nothing is an error.
   */
  String string(JsonNode node, String field) throws ConfigException {
    String text = scalarText(node, field);
    if (text == null) throw error(field, "must be a string, got " + show(node));
    return text;
  }

  /** The scalar at {@code path} as text (booleans and numbers as written), or null for others. */
  String scalarText(JsonNode node, String path) {
    if (node == null) return null;
    if (node.isTextual()) return node.textValue();
    if (node.isBoolean() || node.isNumber()) return textOf.apply(path, node);
    return null;
  }

  void warnUnknown(JsonNode object, String path, Set<String> known) {
    for (String key : (Iterable<String>) object::fieldNames) {
      if (!known.contains(key)) {
        String at = YamlTree.child(path, key);
        warn(at, "unknown key '" + at + "' ignored (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  private void warn(String path, String reason) {
    int line = lineOf.applyAsInt(path);
    warnings.accept(file + (line > 0 ? ":" + line : "") + ": " + reason);
  }

  ConfigException error(String path, String reason) {
    return new ConfigException(file, lineOf.applyAsInt(path), path, reason);
  }

  static boolean absent(JsonNode node) {
    return node == null || node.isNull();
  }

  private static String kind(JsonNode node) {
    if (node == null || node.isNull()) return "nothing";
    if (node.isObject()) return "a mapping";
    if (node.isArray()) return "a list";
    if (node.isTextual()) return "a string";
    if (node.isBoolean()) return "a boolean";
    if (node.isNumber()) return "a number";
    return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  static String show(JsonNode node) {
    if (node.isContainerNode() || node.isNull()) return kind(node);
    String text = node.asText();
    if (text.length() > 60) text = text.substring(0, 60) + "...";
    return kind(node) + " '" + text + "'";
  }
}
