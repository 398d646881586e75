package zinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.logs.LineFormat;

/** docs/fleet.md: its configuration blocks are valid for the engines they are written for. */
class FleetDocsTest {
  private static final Path DOC = Path.of("docs/fleet.md");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Pattern BLOCK = Pattern.compile("<!-- check: (\\S+) -->\\n```\\w*\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path dir;

  /** The blocks marked {@code <!-- check: NAME -->}, by NAME. */
  static Map<String, String> blocks() throws IOException {
    Map<String, String> out = new HashMap<>();
    Matcher m = BLOCK.matcher(Files.readString(DOC));
    while (m.find()) out.put(m.group(1), m.group(2));
    return out;
  }

  private String promtool(String... args) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(PROMTOOL), "needs promtool (Debian package prometheus)");
    List<String> cmd = new ArrayList<>(List.of(PROMTOOL.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool %s:\n%s", String.join(" ", args), out).isZero();
    return out;
  }

  @Test
  void everyCheckedBlockIsThere() throws IOException {
    assertThat(blocks()).containsOnlyKeys("prometheus.yml", "zinit-rules.yml", "vector.yaml", "k8s-pod.yaml");
  }

  @Test
  void scrapeConfigPassesPromtool() throws Exception {
    Map<String, String> b = blocks();
    Files.writeString(dir.resolve("zinit-rules.yml"), b.get("zinit-rules.yml"));
    Files.writeString(dir.resolve("verbatim.yml"), b.get("prometheus.yml"));
    promtool("check", "config", "--syntax-only", "verbatim.yml");
    // the full check also opens the files the config names: the token file is the one thing
    // that exists only where zinit runs, so it is pointed at a stand-in here
    assertThat(b.get("prometheus.yml")).contains("bearer_token_file: /var/run/zinit.sock.token");
    Path token = Files.writeString(dir.resolve("zinit.sock.token"), "0123456789abcdef0123456789abcdef\n");
    Files.writeString(dir.resolve("prometheus.yml"), b.get("prometheus.yml").replace("/var/run/zinit.sock.token", token.toString()));
    String out = promtool("check", "config", "prometheus.yml");
    assertThat(out).contains("SUCCESS").contains("4 rules found");
  }

  @Test
  void alertRulesPassPromtoolAndFireOnlyForTheCrashLoopingService() throws Exception {
    Files.writeString(dir.resolve("zinit-rules.yml"), blocks().get("zinit-rules.yml"));
    promtool("check", "rules", "zinit-rules.yml");
    Files.writeString(
        dir.resolve("rules-test.yml"),
        """
        rule_files: [zinit-rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              # web restarts every minute; db restarted twice long ago and is fine since
              - series: 'zinit_service_restarts_total{instance="n1",job="zinit",service="web"}'
                values: '0+1x30'
              - series: 'zinit_service_restarts_total{instance="n1",job="zinit",service="db"}'
                values: '2x30'
              - series: 'zinit_service_target{instance="n1",job="zinit",service="db",target="Up"}'
                values: '1x30'
              - series: 'zinit_service_state{instance="n1",job="zinit",service="db",state="Running"}'
                values: '1x30'
              - series: 'zinit_service_state{instance="n1",job="zinit",service="db",state="Success"}'
                values: '0x30'
              - series: 'zinit_service_target{instance="n1",job="zinit",service="web",target="Up"}'
                values: '1x30'
              - series: 'zinit_service_state{instance="n1",job="zinit",service="web",state="Running"}'
                values: '0x30'
              - series: 'zinit_service_state{instance="n1",job="zinit",service="web",state="Success"}'
                values: '0x30'
              - series: 'zinit_log_lines_dropped_total{instance="n1",job="zinit",service="web",sink="file"}'
                values: '0 0 0 208x27'
              - series: 'up{instance="n1",job="zinit"}'
                values: '1x30'
            alert_rule_test:
              - eval_time: 20m
                alertname: ZinitServiceCrashLooping
                exp_alerts:
                  - exp_labels: {severity: warning, instance: n1, job: zinit, service: web}
                    exp_annotations:
                      summary: "web on n1 keeps crashing"
                      description: "15 restarts in the last 15 minutes."
              - eval_time: 20m
                alertname: ZinitServiceNotUp
                exp_alerts:
                  - exp_labels: {severity: warning, instance: n1, job: zinit, service: web, target: Up}
                    exp_annotations:
                      summary: "web on n1 should be up but is not"
              - eval_time: 5m
                alertname: ZinitLogLinesDropped
                exp_alerts:
                  - exp_labels: {severity: warning, instance: n1, job: zinit, service: web, sink: file}
                    exp_annotations:
                      summary: "web on n1 lost log lines (file)"
                      description: "The log file could not be written (disk full?); the file has a marker line with the count."
              - eval_time: 20m
                alertname: ZinitDown
                exp_alerts: []
        """);
    promtool("test", "rules", "rules-test.yml");
  }

  @Test
  void vectorConfigTailsZinitsDirectoryAndUsesTheFieldsZinitWrites() throws Exception {
    JsonNode vector = new YAMLMapper().readTree(blocks().get("vector.yaml"));
    JsonNode source = vector.get("sources").get("zinit_logs");
    assertThat(source.get("type").asText()).isEqualTo("file");
    assertThat(source.get("include").get(0).asText()).isEqualTo("/var/log/zinit/*.log");
    String vrl = vector.get("transforms").get("zinit_fields").get("source").asText();
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("entry\\.(\\w+)").matcher(vrl);
    while (m.find()) used.add(m.group(1));
    JsonNode line = new ObjectMapper().readTree(LineFormat.json(0, "web", LineFormat.Stream.STDOUT, "hi"));
    Set<String> written = new TreeSet<>();
    line.fieldNames().forEachRemaining(written::add);
    assertThat(used).isEqualTo(written);
  }

  @Test
  void kubernetesProbesUseTheTokenFreeHealthEndpoints() throws Exception {
    JsonNode pod = new YAMLMapper().readTree(blocks().get("k8s-pod.yaml"));
    JsonNode c = pod.get("spec").get("containers").get(0);
    assertThat(c.get("livenessProbe").get("httpGet").get("path").asText()).isEqualTo("/healthz");
    assertThat(c.get("readinessProbe").get("httpGet").get("path").asText()).isEqualTo("/readyz");
  }
}
