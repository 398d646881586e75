package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service model v2 keys: read, defaulted, and refused with file, line and field. */
class ModelFieldsTest {
  @TempDir Path dir;
  final List<String> warnings = new ArrayList<>();

  ServiceConfig load(String yaml) throws Exception {
    return ConfigLoader.load(Files.writeString(dir.resolve("svc.yaml"), yaml), warnings::add);
  }

  ConfigException error(String yaml) throws IOException {
    try {
      load(yaml);
    } catch (ConfigException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a ConfigException for:\n" + yaml);
  }

  @Test
  void fileWithoutNewKeysHasTodaysRestartBehaviour() throws Exception {
    assertThat(load("exec: /bin/true\n").restart()).isEqualTo(RestartPolicy.DEFAULT);
    assertThat(warnings).isEmpty();
  }

  @Test
  void restartKeysAreRead() throws Exception {
    RestartPolicy r =
        load(
                """
                exec: /bin/true
                restart: on-failure
                restart_delay: 0.5
                restart_delay_max: 10
                start_limit:
                  burst: 3
                  interval: 30
                """)
            .restart();
    assertThat(r.mode()).isEqualTo(RestartPolicy.Mode.ON_FAILURE);
    assertThat(r.delay()).isEqualTo(Duration.ofMillis(500));
    assertThat(r.delayMax()).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.startLimit()).isEqualTo(new RestartPolicy.StartLimit(3, Duration.ofSeconds(30)));
    assertThat(warnings).isEmpty();
  }

  @Test
  void restartDelayAboveTheDefaultCapRaisesTheCapWhenNoneIsGiven() throws Exception {
    RestartPolicy r = load("exec: /bin/true\nrestart: never\nrestart_delay: 90\n").restart();
    assertThat(r.delayMax()).isEqualTo(Duration.ofSeconds(90));
    assertThat(r.mode()).isEqualTo(RestartPolicy.Mode.NEVER);
  }

  @Test
  void badValuesNameFileLineAndField() throws Exception {
    ConfigException e = error("exec: /bin/true\nrestart: sometimes\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.field()).isEqualTo("restart");
    assertThat(e.reason()).contains("always, on-failure, never").contains("sometimes");

    e = error("exec: /bin/true\nrestart_delay: -1\n");
    assertThat(e.field()).isEqualTo("restart_delay");
    assertThat(e.reason()).contains("negative");

    e = error("exec: /bin/true\nrestart_delay: 5\nrestart_delay_max: 2\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.reason()).contains("at least restart_delay");

    e = error("exec: /bin/true\nstart_limit:\n  burst: 0\n  interval: 60\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.field()).isEqualTo("start_limit.burst");

    e = error("exec: /bin/true\nstart_limit:\n  burst: 2\n");
    assertThat(e.reason()).contains("interval is required");

    e = error("exec: /bin/true\nstart_limit: 5\n");
    assertThat(e.reason()).contains("mapping");
  }

  @Test
  void unknownKeyInsideStartLimitIsWarned() throws Exception {
    load("exec: /bin/true\nstart_limit:\n  burst: 2\n  interval: 9\n  bursts: 3\n");
    assertThat(warnings).singleElement().asString().contains("svc.yaml:5").contains("start_limit.bursts");
  }

  @Test
  void envFileIsReadFromTheConfigDirAndEnvOverridesIt() throws Exception {
    Files.writeString(dir.resolve("web.env"), "# settings\nexport PORT=8080\nNAME=\"from file\"\nMODE=file\n");
    ServiceConfig c = load("exec: /bin/true\nenv_file: web.env\nenv:\n  MODE: env\n");
    assertThat(c.env()).containsEntry("PORT", "8080").containsEntry("NAME", "from file").containsEntry("MODE", "env");
  }

  @Test
  void envFileThatIsMissingOrBadIsAnErrorOfTheServiceFile() throws Exception {
    ConfigException e = error("exec: /bin/true\nenv_file: missing.env\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.field()).isEqualTo("env_file");
    assertThat(e.reason()).contains("no such file").contains("missing.env");
    Files.writeString(dir.resolve("bad.env"), "A=1\nnot a line\n");
    e = error("exec: /bin/true\nenv_file: bad.env\n");
    assertThat(e.reason()).contains("bad.env:2: not a KEY=VALUE line");
  }

  @Test
  void userAndGroupAreResolvedOrRefusedWithTheirField() throws Exception {
    ServiceConfig c = load("exec: /bin/true\nuser: root\n");
    assertThat(c.identity().uid()).isZero();
    assertThat(c.identity().home()).isNotBlank();
    ConfigException e = error("exec: /bin/true\nuser: no-such-user-zinit\n");
    assertThat(e.field()).isEqualTo("user");
    assertThat(e.line()).isEqualTo(2);
    e = error("exec: /bin/true\nuser: root\ngroup: no-such-group-zinit\n");
    assertThat(e.field()).isEqualTo("group");
    assertThat(e.line()).isEqualTo(3);
    e = error("exec: /bin/true\ngroup: root\n");
    assertThat(e.reason()).contains("needs user");
    assertThat(load("exec: /bin/true\n").identity()).isNull();
  }

  @Test
  void environmentOfAServiceWithAUserHasItsHomeUserAndLogname() throws Exception {
    ServiceConfig c = load("exec: /bin/true\nuser: root\nenv:\n  LOGNAME: mine\n");
    var env = Environments.forService(java.util.Map.of("HOME", "/zinit", "USER", "x"), c);
    assertThat(env).containsEntry("HOME", c.identity().home()).containsEntry("USER", "root")
        .containsEntry("LOGNAME", "mine");
  }

  @Test
  void healthIsReadWithDefaults() throws Exception {
    HealthCheck h = load("exec: /bin/true\nhealth:\n  http: http://127.0.0.1:8080/health\n").health();
    assertThat(h.kind()).isEqualTo(HealthCheck.Kind.HTTP);
    assertThat(h.target()).isEqualTo("http://127.0.0.1:8080/health");
    assertThat(h.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(h.retries()).isEqualTo(3);
    assertThat(h.startPeriod()).isZero();
    h = load("exec: /bin/true\nhealth:\n  exec: curl -fsS 'http://x/'\n  interval: 1\n  timeout: 0.5\n  retries: 1\n  start_period: 30\n").health();
    assertThat(h.command()).containsExactly("curl", "-fsS", "http://x/");
    assertThat(h.timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(load("exec: /bin/true\nhealth:\n  tcp: 127.0.0.1:5432\n").health().kind()).isEqualTo(HealthCheck.Kind.TCP);
    assertThat(load("exec: /bin/true\n").health()).isNull();
  }

  @Test
  void badHealthIsRefusedWithItsField() throws Exception {
    ConfigException e = error("exec: /bin/true\nhealth:\n  exec: a\n  tcp: b:1\n");
    assertThat(e.reason()).contains("exactly one of exec, http, tcp");
    e = error("exec: /bin/true\nhealth:\n  http: ftp://x/\n");
    assertThat(e.field()).isEqualTo("health.http");
    assertThat(e.line()).isEqualTo(3);
    e = error("exec: /bin/true\nhealth:\n  tcp: localhost\n");
    assertThat(e.field()).isEqualTo("health.tcp");
    e = error("exec: /bin/true\nhealth:\n  tcp: h:70000\n");
    assertThat(e.reason()).contains("1-65535");
    e = error("exec: /bin/true\nhealth:\n  tcp: h:1\n  retries: 0\n");
    assertThat(e.field()).isEqualTo("health.retries");
    assertThat(e.line()).isEqualTo(4);
    e = error("exec: /bin/true\nhealth:\n  tcp: h:1\n  interval: 0\n");
    assertThat(e.field()).isEqualTo("health.interval");
    e = error("exec: /bin/true\nhealth: yes\n");
    assertThat(e.field()).isEqualTo("health");
  }

  @Test
  void limitsAreReadWithSizeSuffixes() throws Exception {
    ResourceLimits l = load("exec: /bin/true\nlimits:\n  memory: 256M\n  memory_high: 200m\n  cpu: 0.5\n  pids: 100\n  nofile: 4096\n").limits();
    assertThat(l).isEqualTo(new ResourceLimits(256L << 20, 200L << 20, 0.5, 100, 4096));
    assertThat(l.display()).isEqualTo("memory=256M memory_high=200M cpu=0.5 pids=100 nofile=4096");
    assertThat(load("exec: /bin/true\nlimits:\n  memory: 1G\n").limits().memory()).isEqualTo(1L << 30);
    assertThat(load("exec: /bin/true\nlimits:\n  memory: 4096\n").limits().memory()).isEqualTo(4096);
    assertThat(load("exec: /bin/true\nlimits:\n  nofile: 10\n").limits().needsCgroups()).isFalse();
    assertThat(load("exec: /bin/true\n").limits()).isNull();
  }

  @Test
  void badLimitsNameTheirField() throws Exception {
    ConfigException e = error("exec: /bin/true\nlimits:\n  memory: lots\n");
    assertThat(e.field()).isEqualTo("limits.memory");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.reason()).contains("256M");
    e = error("exec: /bin/true\nlimits:\n  cpu: 0\n");
    assertThat(e.field()).isEqualTo("limits.cpu");
    e = error("exec: /bin/true\nlimits:\n  pids: -1\n");
    assertThat(e.field()).isEqualTo("limits.pids");
    e = error("exec: /bin/true\nlimits:\n  nofile: 99999999\n");
    assertThat(e.field()).isEqualTo("limits.nofile");
    e = error("exec: /bin/true\nlimits:\n  memory: 100M\n  memory_high: 200M\n");
    assertThat(e.field()).isEqualTo("limits.memory_high");
  }
}
