package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;

/** {@code limits:} of a service file, checked like every other key. */
final class LimitFields {
  private static final Set<String> LIMIT_KEYS = Set.of("memory", "memory_high", "cpu", "pids", "nofile");
  /** Linux's default fs.nr_open: RLIMIT_NOFILE cannot go above it. */
  private static final long MAX_NOFILE = 1L << 20;

  private final ServiceFields fields;

  LimitFields(ServiceFields fields) {
    this.fields = fields;
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
}
