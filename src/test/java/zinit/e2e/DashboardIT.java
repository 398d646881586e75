package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard in a real browser: a real zinit with real services serves /ui/ from
 * system_start_http_server, and src/test/ui/dashboard.mjs drives Debian's chromium through it
 * with playwright-core. Screenshots and the first-paint report land in target/ui/.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardIT {
  private static final Path UI_TESTS = Zinit.ROOT.resolve("src/test/ui");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path OUT = Zinit.ROOT.resolve("target/ui");

  @Test
  void browserSignsInControlsServicesFollowsLogsAndEditsFiles() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("web", "exec: \"sh -c 'echo web starting >&2; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.5; done'\"\n")
          // ignores SIGTERM, so its stop takes the 3 s timeout: long enough to see the button disabled
          .service("db", "exec: sh -c 'trap \"\" TERM; exec sleep 1000'\nshutdown_timeout: 3\n")
          .service("api", "exec: sleep 1000\nafter: [db]\n")
          .service("flaky", "exec: \"sh -c 'exit 3'\"\n")
          .service("batch", "exec: \"true\"\noneshot: true\n")
          .service("chatty", "exec: \"sh -c 'seq 1 3000; exec sleep 1000'\"\n")
          .start();
      z.awaitState("api", "Running");
      z.awaitState("batch", "Success");
      assertThat(z.call("service_status", "db").get("uptime").isIntegralNumber()).as("status has the uptime the table shows").isTrue();
      assertThat(z.call("service_status", "batch").has("uptime")).as("no uptime without a live main process").isFalse();
      String out = drive(z, "main");
      assertThat(out).contains("error shown: sending signal: service 'db' is down");
      // what the browser did is visible to zinit too
      assertThat(Files.exists(z.config.resolve("hello.yaml"))).as("the dashboard deleted hello.yaml").isFalse();
      assertThat(z.state("db")).isEqualTo("Running");
    }
  }

  /** First paint with 100 services, measured in the browser (reported, not asserted: the machine is shared). */
  @Test
  void firstPaintWithOneHundredServices() throws Exception {
    try (Zinit z = new Zinit()) {
      for (int i = 0; i < 100; i++) z.service(String.format("svc%03d", i), "exec: sleep 1000\n");
      z.start();
      for (int i = 0; i < 100; i++) z.awaitState(String.format("svc%03d", i), "Running");
      String out = drive(z, "perf");
      assertThat(out).contains("first paint with 100 services");
      assertThat(Files.readString(OUT.resolve("perf.json"))).contains("\"tableOf100\"");
    }
  }

  /** Starts zinit's HTTP server on a free port and runs the browser script; returns its output. */
  private static String drive(Zinit z, String mode) throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "needs Debian's chromium at " + CHROMIUM + " (apt-get install chromium)");
    assumeTrue(Files.isDirectory(UI_TESTS.resolve("node_modules/playwright-core")),
        "needs playwright-core: (cd src/test/ui && npm ci)");
    String started = z.call("system_start_http_server", "127.0.0.1:0").asText();
    Matcher m = Pattern.compile("at (127\\.0\\.0\\.1:\\d+)").matcher(started);
    assertThat(m.find()).as("the server says where it listens: %s", started).isTrue();
    String token = Files.readString(Path.of(z.socket + ".token")).strip();
    Path log = z.file("browser-" + mode + ".out");
    List<String> cmd = new ArrayList<>(List.of("node", UI_TESTS.resolve("dashboard.mjs").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(UI_TESTS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(Map.of(
        "ZINIT_URL", "http://" + m.group(1),
        "ZINIT_TOKEN", token,
        "OUT", OUT.toString(),
        "CHROMIUM", CHROMIUM.toString(),
        "MODE", mode));
    Process node;
    try {
      node = pb.start();
    } catch (IOException e) {
      assumeTrue(false, "needs node on PATH: " + e.getMessage());
      throw e;
    }
    boolean done = node.waitFor(4, TimeUnit.MINUTES);
    if (!done) {
      node.descendants().forEach(ProcessHandle::destroyForcibly);
      node.destroyForcibly();
      node.waitFor(30, TimeUnit.SECONDS);
    }
    String out = Files.readString(log);
    System.out.println("dashboard.mjs (" + mode + "):\n" + out);
    assertThat(done).as("the browser script finished within 4 minutes:\n%s", out).isTrue();
    assertThat(node.exitValue()).as("the browser script's checks:\n%s\nzinit:\n%s", out, z.output()).isZero();
    Zinit.waitFor("chromium to be gone", Duration.ofSeconds(30), () -> node.descendants().findAny().isEmpty());
    return out;
  }
}
