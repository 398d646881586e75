package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
  private static final Set<String> LIMIT_KEYS = Set.of("memory", "memory_high", "cpu", "pids", "nofile");
  /** Linux's default fs.nr_open: RLIMIT_NOFILE cannot go above it. */
  private static final long MAX_NOFILE = 1L << 20;
  private static final Set<String> HEALTH_KEYS =
      Set.of("exec", "http", "tcp", "interval", "timeout", "retries", "start_period");
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
      if (Files.size(file) > ConfigLoader.MAX_FILE_BYTES) {
        throw fields.error("env_file", file + " is larger than " + ConfigLoader.MAX_FILE_BYTES + " bytes");
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw fields.error("env_file", "no such file: " + file);
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
    if (ServiceFields.absent(node)) return null;
    if (!node.isObject()) {
      throw fields.error("health", "must be a mapping with one of exec, http, tcp; got " + ServiceFields.show(node));
    }
    fields.warnUnknown(node, "health", HEALTH_KEYS);
    List<String> given = new java.util.ArrayList<>();
    for (String k : List.of("exec", "http", "tcp")) if (!ServiceFields.absent(node.get(k))) given.add(k);
    if (given.size() != 1) {
      throw fields.error("health", "needs exactly one of exec, http, tcp; got " + (given.isEmpty() ? "none" : given));
    }
    String kind = given.getFirst();
    String field = "health." + kind;
    String text = fields.string(node.get(kind), field).strip();
    HealthCheck.Kind k;
    List<String> argv = List.of();
    switch (kind) {
      case "exec" -> {
        k = HealthCheck.Kind.EXEC;
        argv = fields.command(node.get(kind), field);
        if (argv.isEmpty()) throw fields.error(field, "command is empty");
      }
      case "http" -> {
        k = HealthCheck.Kind.HTTP;
        try {
          java.net.URI uri = new java.net.URI(text);
          if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw fields.error(field, "must be an http:// or https:// URL with a host, got '" + text + "'");
          }
        } catch (java.net.URISyntaxException e) {
          throw fields.error(field, "not a URL: " + e.getMessage());
        }
      }
      default -> {
        k = HealthCheck.Kind.TCP;
        int colon = text.lastIndexOf(':');
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (colon <= 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
          throw fields.error(field, "must be host:port with a port of 1-65535, got '" + text + "'");
        }
      }
    }
    Duration interval = seconds(node.get("interval"), "health.interval", HealthCheck.DEFAULT_INTERVAL);
    if (interval.isZero()) throw fields.error("health.interval", "must be more than 0 seconds");
    Duration timeout = seconds(node.get("timeout"), "health.timeout", HealthCheck.DEFAULT_TIMEOUT);
    if (timeout.isZero()) throw fields.error("health.timeout", "must be more than 0 seconds");
    JsonNode retries = node.get("retries");
    int r = HealthCheck.DEFAULT_RETRIES;
    if (!ServiceFields.absent(retries)) {
      if (!retries.isIntegralNumber() || !retries.canConvertToInt() || retries.intValue() < 1) {
        throw fields.error("health.retries", "must be a whole number of at least 1, got " + ServiceFields.show(retries));
      }
      r = retries.intValue();
    }
    Duration startPeriod = seconds(node.get("start_period"), "health.start_period", Duration.ZERO);
    return new HealthCheck(k, argv, text, interval, timeout, r, startPeriod);
  }

  /** {@code limits:}; null when absent. */
  ResourceLimits limits(JsonNode node) throws ConfigException {
    if (ServiceFields.absent(node)) return null;
    if (!node.isObject()) {
      throw fields.error("limits", "must be a mapping like {memory: 256M, pids: 100}, got " + ServiceFields.show(node));
    }
    fields.warnUnknown(node, "limits", LIMIT_KEYS);
    long memory = size(node.get("memory"), "limits.memory");
    long high = size(node.get("memory_high"), "limits.memory_high");
    double cpu = 0;
    JsonNode c = node.get("cpu");
    if (!ServiceFields.absent(c)) {
      if (!c.isNumber() || c.doubleValue() <= 0 || c.doubleValue() > 4096) {
        throw fields.error("limits.cpu", "must be a number of cores above 0 (like 0.5), got " + ServiceFields.show(c));
      }
      cpu = c.doubleValue();
      if (Math.round(cpu * 100_000) < 1000) throw fields.error("limits.cpu", "must be at least 0.01 cores");
    }
    long pids = count(node.get("pids"), "limits.pids", Integer.MAX_VALUE);
    long nofile = count(node.get("nofile"), "limits.nofile", MAX_NOFILE);
    if (memory > 0 && high > memory) {
      throw fields.error("limits.memory_high", "must not be above limits.memory (" + ResourceLimits.size(memory) + ")");
    }
    return new ResourceLimits(memory, high, cpu, pids, nofile);
  }

  /** Bytes, with an optional K, M, G or T suffix (powers of 1024). */
  private long size(JsonNode node, String field) throws ConfigException {
    if (ServiceFields.absent(node)) return 0;
    String text = node.asText().strip().toUpperCase(Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,15})([KMGT]?)B?").matcher(text);
    if (!(node.isTextual() || node.isIntegralNumber()) || !m.matches()) {
      throw fields.error(field, "must be a size like 256M (K, M, G, T suffixes), got " + ServiceFields.show(node));
    }
    long v = Long.parseLong(m.group(1));
    int shift = switch (m.group(2)) {
      case "K" -> 10;
      case "M" -> 20;
      case "G" -> 30;
      case "T" -> 40;
      default -> 0;
    };
    if (v == 0 || v > (Long.MAX_VALUE >> 1) >> shift) throw fields.error(field, "must be above 0 and below 2^62 bytes, got " + node.asText());
    return v << shift;
  }

  private long count(JsonNode node, String field, long max) throws ConfigException {
    if (ServiceFields.absent(node)) return 0;
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 1 || node.longValue() > max) {
      throw fields.error(field, "must be a whole number from 1 to " + max + ", got " + ServiceFields.show(node));
    }
    return node.longValue();
  }

  /** A number of seconds, whole or with a fraction (ms precision), 0 or more. */
  Duration seconds(JsonNode node, String field, Duration absent) throws ConfigException {
    if (ServiceFields.absent(node)) return absent;
    if (!node.isNumber()) throw fields.error(field, "must be a number of seconds, got " + ServiceFields.show(node));
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
