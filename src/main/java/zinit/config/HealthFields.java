package zinit.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** {@code health:} of a service file, checked like every other key. */
final class HealthFields {
  private static final Set<String> HEALTH_KEYS =
      Set.of("exec", "http", "tcp", "interval", "timeout", "retries", "start_period");

  private final ServiceFields fields;
  private final ModelFields model;

  HealthFields(ServiceFields fields, ModelFields model) {
    this.fields = fields;
    this.model = model;
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
    Duration interval = model.seconds(node.get("interval"), "health.interval", HealthCheck.DEFAULT_INTERVAL);
    if (interval.isZero()) throw fields.error("health.interval", "must be more than 0 seconds");
    Duration timeout = model.seconds(node.get("timeout"), "health.timeout", HealthCheck.DEFAULT_TIMEOUT);
    if (timeout.isZero()) throw fields.error("health.timeout", "must be more than 0 seconds");
    JsonNode retries = node.get("retries");
    int r = HealthCheck.DEFAULT_RETRIES;
    if (!ServiceFields.absent(retries)) {
      if (!retries.isIntegralNumber() || !retries.canConvertToInt() || retries.intValue() < 1) {
        throw fields.error("health.retries", "must be a whole number of at least 1, got " + ServiceFields.show(retries));
      }
      r = retries.intValue();
    }
    Duration startPeriod = model.seconds(node.get("start_period"), "health.start_period", Duration.ZERO);
    return new HealthCheck(k, argv, text, interval, timeout, r, startPeriod);
  }
}
