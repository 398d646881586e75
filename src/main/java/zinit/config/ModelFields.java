package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The keys of the service model v2 (issue 11): each optional, each checked like the original keys
 * (file, line, field, reason). Absent keys give the defaults, so an old file behaves as before.
 */
final class ModelFields {
  static final Set<String> KEYS = Set.of("restart", "restart_delay", "restart_delay_max", "start_limit");
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
