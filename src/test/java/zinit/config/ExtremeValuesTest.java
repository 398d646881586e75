package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durations, counts and sizes at and beyond their limits: each either loads within the documented
 * bounds or is refused as a load error naming its field, never an exception that escapes the loader
 * (which killed zinit at boot).
 */
class ExtremeValuesTest {
  @TempDir Path dir;

  static final List<String> NUMBERS =
      List.of("0", "-0", "-0.0", "-1", "0.0001", "2147483647", "2147483648", "9223372036854775807",
          "9223372036854775808", "99999999999999999999999", "1e400", "-1e400", "1e-400", "1.7976931348623157e308",
          ".inf", "-.inf", ".nan", ".NaN", "0x10", "0o17", "1_000", "1e3", "31536000", "31536000.0009", "'5'", "[]", "{}", "~");

  static final List<String> FIELDS =
      List.of("restart_delay: %s", "restart_delay_max: %s", "shutdown_timeout: %s",
          "start_limit: {burst: %s, interval: 10}", "start_limit: {burst: 3, interval: %s}",
          "health: {exec: 'true', interval: %s}", "health: {exec: 'true', timeout: %s}",
          "health: {exec: 'true', retries: %s}", "health: {exec: 'true', start_period: %s}",
          "limits: {memory: %s}", "limits: {memory_high: %s}", "limits: {cpu: %s}", "limits: {pids: %s}",
          "limits: {nofile: %s}", "log: file\nlog_size: %s", "log: file\nlog_keep: %s");

  @Test
  void everyExtremeValueLoadsInBoundsOrIsALoadError() throws Exception {
    List<String> escaped = new ArrayList<>();
    for (String field : FIELDS) {
      for (String n : NUMBERS) {
        String yaml = "exec: /bin/true\n" + field.formatted(n) + "\n";
        try {
          ServiceConfig c = ConfigLoader.load(Files.writeString(dir.resolve("svc.yaml"), yaml), w -> {});
          Duration year = Duration.ofDays(366);
          assertThat(c.restart().delay()).as(yaml).isBetween(Duration.ZERO, year);
          assertThat(c.restart().delayMax()).as(yaml).isBetween(c.restart().delay(), year);
          if (c.limits() != null) {
            ResourceLimits l = c.limits();
            assertThat(l.cpu()).as(yaml).isBetween(0.0, 4096.0);
            assertThat(l.memory()).as(yaml).isBetween(0L, Long.MAX_VALUE >> 1);
            assertThat(l.pids()).as(yaml).isBetween(0L, (long) Integer.MAX_VALUE);
            assertThat(l.nofile()).as(yaml).isBetween(0L, 1L << 20);
          }
          if (c.health() != null) {
            assertThat(c.health().interval()).as(yaml).isPositive().isLessThan(year);
            assertThat(c.health().timeout()).as(yaml).isPositive().isLessThan(year);
          }
        } catch (ConfigException e) {
          if (e.line() < 2) escaped.add(yaml.replace('\n', ' ') + " -> no line: " + e.getMessage());
        } catch (Exception | AssertionError e) {
          escaped.add(yaml.replace('\n', ' ') + " -> " + e);
        }
      }
    }
    assertThat(escaped).isEmpty();
  }
}
