package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The keys of the service model v2 (issue 11): each optional, each checked like the original keys
 * (file, line, field, reason). Absent keys give the defaults, so an old file behaves as before.
 */
final class ModelFields {
  static final Set<String> KEYS =
      Set.of("restart", "restart_delay", "restart_delay_max", "start_limit", "env_file", "user", "group",
          "health", "limits");

  private static final Set<String> START_LIMIT_KEYS = Set.of("burst", "interval");
  /** Bounds that keep every Duration and its doubling far from overflow. */
  private static final long MAX_SECONDS = 365L * 24 * 3600;

  private final ServiceFields fields;

  ModelFields(ServiceFields fields) {
    this.fields = fields;
  }

  /** The keys a service file may have: the original's plus ours. */
  static Set<String> known(Set<String> original) {
    Set<String> all = new HashSet<>(original);
    all.addAll(KEYS);
    return Set.copyOf(all);
  }

  RestartPolicy restart(JsonNode root) throws ConfigException {
    RestartPolicy d = RestartPolicy.DEFAULT;
    RestartPolicy.Mode mode = mode(root.get("restart"));
    Duration delay = seconds(root.get("restart_delay"), "restart_delay", d.delay());
    JsonNode maxNode = root.get("restart_delay_max");
    Duration max = seconds(maxNode, "restart_delay_max", d.delayMax());
    if (ServiceFields.absent(maxNode) && max.compareTo(delay) < 0) max = delay;
    if (max.compareTo(delay) < 0) {
      throw fields.error("restart_delay_max", "must be at least restart_delay (" + show(delay) + "), got " + show(max));
    }
    return new RestartPolicy(mode, delay, max, startLimit(root.get("start_limit")));
  }

  private RestartPolicy.Mode mode(JsonNode node) throws ConfigException {
    if (ServiceFields.absent(node)) return RestartPolicy.Mode.ALWAYS;
    String expected = "must be one of always, on-failure, never; got ";
    if (!node.isTextual()) throw fields.error("restart", expected + ServiceFields.show(node));
    return switch (node.textValue().strip().toLowerCase(Locale.ROOT)) {
      case "always" -> RestartPolicy.Mode.ALWAYS;
      case "on-failure" -> RestartPolicy.Mode.ON_FAILURE;
      case "never" -> RestartPolicy.Mode.NEVER;
      default -> throw fields.error("restart", expected + ServiceFields.show(node));
    };
  }

  private RestartPolicy.StartLimit startLimit(JsonNode node) throws ConfigException {
    if (ServiceFields.absent(node)) return null;
    if (!node.isObject()) {
      throw fields.error("start_limit", "must be a mapping like {burst: 5, interval: 60}, got " + ServiceFields.show(node));
    }
    fields.warnUnknown(node, "start_limit", START_LIMIT_KEYS);
    JsonNode burst = node.get("burst");
    if (ServiceFields.absent(burst)) throw fields.error("start_limit", "burst is required");
    if (!burst.isIntegralNumber() || !burst.canConvertToInt() || burst.intValue() < 1) {
      throw fields.error("start_limit.burst", "must be a whole number of at least 1, got " + ServiceFields.show(burst));
    }
    JsonNode interval = node.get("interval");
    if (ServiceFields.absent(interval)) throw fields.error("start_limit", "interval is required");
    Duration d = seconds(interval, "start_limit.interval", null);
    if (d.isZero()) throw fields.error("start_limit.interval", "must be more than 0 seconds");
    return new RestartPolicy.StartLimit(burst.intValue(), d);
  }

  /** The env_file's variables under {@code env} (which wins); {@code env} alone without one. */
  Map<String, String> withEnvFile(JsonNode root, Map<String, String> env) throws ConfigException {
    JsonNode node = root.get("env_file");
    if (ServiceFields.absent(node)) return env;
    String text = fields.string(node, "env_file");
    if (text.isBlank() || text.indexOf('\0') >= 0) throw fields.error("env_file", "must be a file name");
    Path file;
    try {
      file = Path.of(text);
    } catch (InvalidPathException e) {
      throw fields.error("env_file", "not a valid path: " + e.getReason());
    }
    if (!file.isAbsolute()) {
      if (fields.configDir == null) return env; // service_create without a dir: read on load
      file = fields.configDir.resolve(file);
    }
    List<String> lines;
    try {
      lines = SmallFiles.read(file, ConfigLoader.MAX_FILE_BYTES).lines().toList();
    } catch (NoSuchFileException e) {
      throw fields.error("env_file", "no such file: " + file);
    } catch (SmallFiles.Refused e) {
      throw fields.error("env_file", file + ": " + e.getMessage());
    } catch (IOException e) {
      throw fields.error("env_file", "cannot read " + file + ": " + e.getMessage());
    }
    Map<String, String> out;
    try {
      out = new LinkedHashMap<>(DotEnv.parse(lines));
    } catch (DotEnv.Error e) {
      throw fields.error("env_file", file + ":" + e.line + ": " + e.getMessage());
    }
    out.putAll(env);
    return out;
  }

  /** {@code user:} and {@code group:}, resolved now; null when the file has no user. */
  Identity identity(JsonNode root) throws ConfigException {
    JsonNode user = root.get("user");
    JsonNode group = root.get("group");
    if (ServiceFields.absent(user)) {
      if (!ServiceFields.absent(group)) throw fields.error("group", "needs user as well");
      return null;
    }
    String u = idText(user, "user");
    String g = ServiceFields.absent(group) ? null : idText(group, "group");
    UserDatabase db;
    try {
      db = UserDatabase.read(UserDatabase.PASSWD, UserDatabase.GROUP);
    } catch (IOException e) {
      throw fields.error("user", "cannot read the user database: " + e.getMessage());
    }
    try {
      return db.resolve(u, g);
    } catch (IllegalArgumentException e) {
      String field = e.getMessage().startsWith("no group") ? "group" : "user";
      throw fields.error(field, e.getMessage());
    }
  }

  private String idText(JsonNode node, String field) throws ConfigException {
    if (!node.isTextual() && !node.isIntegralNumber()) {
      throw fields.error(field, "must be a name or a number, got " + ServiceFields.show(node));
    }
    String text = node.asText().strip();
    if (text.isEmpty() || text.contains(":") || text.indexOf('\0') >= 0) {
      throw fields.error(field, "must be a name or a number, got " + ServiceFields.show(node));
    }
    return text;
  }

  /** {@code health:}; null when absent. */
  HealthCheck health(JsonNode node) throws ConfigException {
    return new HealthFields(fields, this).health(node);
  }

  /** {@code limits:}; null when absent. */
  ResourceLimits limits(JsonNode node) throws ConfigException {
    return new LimitFields(fields).limits(node);
  }

  /** A number of seconds, whole or with a fraction (ms precision), 0 or more. */
  Duration seconds(JsonNode node, String field, Duration absent) throws ConfigException {
    if (ServiceFields.absent(node)) return absent;
    if (!node.isNumber()) throw fields.error(field, "must be a number of seconds, got " + ServiceFields.show(node));
    if (!Double.isFinite(node.doubleValue())) {
      // 1e400 is a double of infinity, which has no BigDecimal (it threw out of the loader)
      String bound = node.doubleValue() < 0 ? "must not be negative" : "must be at most " + MAX_SECONDS + " seconds";
      throw fields.error(field, bound + ", got " + node.asText());
    }
    BigDecimal v = node.decimalValue();
    if (v.signum() < 0) throw fields.error(field, "must not be negative, got " + node.asText());
    if (v.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
      throw fields.error(field, "must be at most " + MAX_SECONDS + " seconds, got " + node.asText());
    }
    return Duration.ofMillis(v.movePointRight(3).longValue());
  }

  private static String show(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
