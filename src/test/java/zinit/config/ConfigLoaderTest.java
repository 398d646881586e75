package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;
  final List<String> warnings = new ArrayList<>();

  Path write(String name, String yaml) throws IOException {
    return Files.writeString(dir.resolve(name), yaml);
  }

  ServiceConfig load(String yaml) throws Exception {
    return ConfigLoader.load(write("svc.yaml", yaml), warnings::add);
  }

  ConfigException error(String yaml) throws IOException {
    Path file = write("svc.yaml", yaml);
    try {
      ConfigLoader.load(file, warnings::add);
    } catch (ConfigException e) {
      assertThat(e.file()).isEqualTo(file.toString());
      assertThat(e.getMessage()).startsWith(file.toString());
      return e;
    }
    throw new AssertionError("expected a ConfigException for:\n" + yaml);
  }

  @Test
  void logFileFieldsAndTheirDefaults() throws Exception {
    ServiceConfig plain = load("exec: a\nlog: file\n");
    assertThat(plain.log()).isEqualTo(LogMode.FILE);
    assertThat(plain.logFile()).isEqualTo(new LogFile(null, 10L << 20, 5, LogFile.Format.TEXT));
    assertThat(plain.logFile().path(Path.of("/var/log/zinit"), "svc")).isEqualTo(Path.of("/var/log/zinit/svc.log"));
    ServiceConfig all = load("exec: a\nlog: file\nlog_file: /srv/web.log\nlog_size: 512K\nlog_keep: 0\nlog_format: json\n");
    assertThat(all.logFile()).isEqualTo(new LogFile(Path.of("/srv/web.log"), 512 * 1024, 0, LogFile.Format.JSON));
    assertThat(load("exec: a\nlog: file\nlog_size: 4096\n").logFile().maxBytes()).isEqualTo(4096);
    assertThat(load("exec: a\nlog: file\nlog_size: 1G\n").logFile().maxBytes()).isEqualTo(1L << 30);
    assertThat(load("exec: a\nlog: file\nlog_size: 2mb\n").logFile().maxBytes()).isEqualTo(2L << 20);
    assertThat(warnings).isEmpty();
    assertThat(load("exec: a\nlog_size: 1M\n").logFile()).isNull();
    assertThat(warnings).singleElement().asString().contains("svc.yaml:2").contains("log_size has no effect unless log: file");
  }

  @Test
  void plainBooleansAndNumbersInStringFieldsAreTakenAsWrittenAsTheOriginalDoes() throws Exception {
    // serde_yaml 0.8, which the original reads service files with, puts any scalar's text in a
    // string field: `exec: true` is the command true, not an error
    assertThat(load("exec: true\noneshot: true\n").exec()).containsExactly("true");
    assertThat(load("exec: sleep 9\ntest: yes\n").test()).containsExactly("yes");
    assertThat(load("exec: 42\n").exec()).containsExactly("42");
    assertThat(load("exec: a\ndir: 0755\n").dir()).isEqualTo(Path.of("0755"));
    assertThat(load("exec: a\nafter:\n  - 1\n  - on\n").after()).containsExactly("1", "on");
    assertThat(error("exec:\n  - a\n").getMessage()).contains("field 'exec': must be a string, got a list");
    assertThat(error("exec: ~\n").getMessage()).contains("exec");
  }

  @Test
  void minimalFileGetsAllDefaults() throws Exception {
    ServiceConfig c = load("exec: /bin/true\n");
    assertThat(c).isEqualTo(ServiceConfig.of("svc", List.of("/bin/true")));
    assertThat(c.dir()).isEqualTo(Path.of("/"));
    assertThat(c.log()).isEqualTo(LogMode.RING);
    assertThat(c.stopSignal()).isEqualTo(Signal.SIGTERM);
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(warnings).isEmpty();
  }

  @Test
  void everyFieldIsRead() throws Exception {
    ServiceConfig c =
        load(
            """
            exec: "sh -c 'echo hi; sleep 1'"
            test: redis-cli -p 6379 PING
            oneshot: true
            shutdown_timeout: 30
            after:
              - net
              - db
            signal:
              stop: sigint
            log: stdout
            env:
              A: "x y"
              N: 5
              B: true
              E:
            dir: /tmp
            """);
    assertThat(c.name()).isEqualTo("svc");
    assertThat(c.exec()).containsExactly("sh", "-c", "echo hi; sleep 1");
    assertThat(c.test()).containsExactly("redis-cli", "-p", "6379", "PING");
    assertThat(c.oneshot()).isTrue();
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.after()).containsExactly("net", "db");
    assertThat(c.stopSignal()).isEqualTo(Signal.SIGINT);
    assertThat(c.log()).isEqualTo(LogMode.STDOUT);
    assertThat(c.env()).isEqualTo(Map.of("A", "x y", "N", "5", "B", "true", "E", ""));
    assertThat(c.dir()).isEqualTo(Path.of("/tmp"));
    assertThat(warnings).isEmpty();
  }

  @Test
  void logModesIncludingYamlNull() throws Exception {
    assertThat(load("exec: a\nlog: ring\n").log()).isEqualTo(LogMode.RING);
    assertThat(load("exec: a\nlog: null\n").log()).isEqualTo(LogMode.NULL);
    assertThat(load("exec: a\nlog: none\n").log()).isEqualTo(LogMode.NULL);
    assertThat(load("exec: a\nlog: \"null\"\n").log()).isEqualTo(LogMode.NULL);
  }

  @Test
  void emptyDirAndZeroTimeoutAndSignalNumbersAreAccepted() throws Exception {
    ServiceConfig c = load("exec: a\ndir: \"\"\nshutdown_timeout: 0\nsignal:\n  stop: 9\n");
    assertThat(c.dir()).isEqualTo(Path.of("/"));
    assertThat(c.shutdownTimeout()).isZero();
    assertThat(c.stopSignal()).isEqualTo(Signal.SIGKILL);
    assertThat(load("exec: a\nsignal:\n  stop: KILL\n").stopSignal()).isEqualTo(Signal.SIGKILL);
  }

  @Test
  void missingExecNamesField() throws Exception {
    ConfigException e = error("# comment\noneshot: true\n");
    assertThat(e.field()).isEqualTo("exec");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("svc.yaml:2: field 'exec': required field is missing");
  }

  @Test
  void emptyOrBlankExecIsAnError() throws Exception {
    assertThat(error("exec: \"  \"\n").field()).isEqualTo("exec");
    assertThat(error("exec:\n").field()).isEqualTo("exec");
  }

  @Test
  void unterminatedQuoteInExecNamesLineAndField() throws Exception {
    ConfigException e = error("oneshot: true\nexec: \"sh -c 'echo\"\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.field()).isEqualTo("exec");
    assertThat(e.reason()).contains("unterminated single quote");
  }

  @Test
  void badYamlSyntaxNamesLine() throws Exception {
    ConfigException e = error("exec: a\nafter: [x, y\nlog: ring\n");
    assertThat(e.line()).isGreaterThanOrEqualTo(2);
    assertThat(e.reason()).startsWith("invalid YAML");
    assertThat(e.getMessage()).contains("svc.yaml:" + e.line() + ": invalid YAML");
  }

  @Test
  void badIndentationIsAnError() throws Exception {
    ConfigException e = error("exec: a\n  oneshot: true\n");
    assertThat(e.line()).isEqualTo(2);
  }

  @Test
  void emptyFileIsAnError() throws Exception {
    assertThat(error("").reason()).contains("empty");
    assertThat(error("# only a comment\n").reason()).contains("empty");
  }

  @Test
  void documentThatIsNotAMappingIsAnError() throws Exception {
    assertThat(error("- exec\n").reason()).contains("mapping");
    assertThat(error("just text\n").reason()).contains("mapping");
  }

  @Test
  void duplicateKeyIsAnError() throws Exception {
    ConfigException e = error("exec: a\nexec: b\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.reason()).contains("duplicate key 'exec'");
  }

  @Test
  void unknownSignalNamesLineAndField() throws Exception {
    ConfigException e = error("exec: a\nsignal:\n  stop: SIGFOO\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.field()).isEqualTo("signal.stop");
    assertThat(e.getMessage()).contains(":3: field 'signal.stop': unknown signal 'SIGFOO'");
  }

  @Test
  void negativeTimeoutNamesLineAndField() throws Exception {
    ConfigException e = error("exec: a\nshutdown_timeout: -1\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.field()).isEqualTo("shutdown_timeout");
    assertThat(e.reason()).contains("negative");
  }

  @Test
  void absurdTimeoutsAreErrors() throws Exception {
    assertThat(error("exec: a\nshutdown_timeout: 1.5\n").field()).isEqualTo("shutdown_timeout");
    assertThat(error("exec: a\nshutdown_timeout: 99999999999999999999999\n").reason()).contains("at most");
    assertThat(error("exec: a\nshutdown_timeout: \"10\"\n").field()).isEqualTo("shutdown_timeout");
  }

  @Test
  void afterNamingItselfNamesItemLine() throws Exception {
    ConfigException e = error("exec: a\nafter:\n  - db\n  - svc\n");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.field()).isEqualTo("after[1]");
    assertThat(e.reason()).contains("itself");
  }

  @Test
  void afterWithPathNameIsAnError() throws Exception {
    assertThat(error("exec: a\nafter: [../etc]\n").field()).isEqualTo("after[0]");
  }

  @Test
  void duplicateAfterEntryIsWarnedAndDropped() throws Exception {
    assertThat(load("exec: a\nafter: [db, db]\n").after()).containsExactly("db");
    assertThat(warnings).singleElement().asString().contains("svc.yaml:2").contains("twice");
  }

  @Test
  void wrongTypesNameLineAndField() throws Exception {
    record Case(String yaml, int line, String field) {}
    List<Case> cases =
        List.of(
            new Case("exec: a\noneshot: maybe\n", 2, "oneshot"),
            new Case("exec: a\noneshot: 1\n", 2, "oneshot"),
            new Case("exec: a\n\nafter: 3\n", 3, "after"),
            new Case("exec: a\nafter: [[x]]\n", 2, "after[0]"),
            new Case("exec: [a, b]\n", 1, "exec"),
            new Case("exec: a\ntest: {x: 1}\n", 2, "test"),
            new Case("exec: a\nsignal: SIGKILL\n", 2, "signal"),
            new Case("exec: a\nsignal:\n  stop: [x]\n", 3, "signal.stop"),
            new Case("exec: a\nlog: files\n", 2, "log"),
            new Case("exec: a\nlog: file\nlog_size: 10X\n", 3, "log_size"),
            new Case("exec: a\nlog: file\nlog_size: 0\n", 3, "log_size"),
            new Case("exec: a\nlog: file\nlog_keep: -1\n", 3, "log_keep"),
            new Case("exec: a\nlog: file\nlog_keep: two\n", 3, "log_keep"),
            new Case("exec: a\nlog: file\nlog_format: xml\n", 3, "log_format"),
            new Case("exec: a\nlog: file\nlog_file: relative/web.log\n", 3, "log_file"),
            new Case("exec: a\nlog: file\nlog_file: [a]\n", 3, "log_file"),
            new Case("exec: a\nenv: [A=1]\n", 2, "env"),
            new Case("exec: a\nenv:\n  A:\n    B: 1\n", 3, "env.A"),
            new Case("exec: a\nenv:\n  \"A=B\": 1\n", 3, "env.A=B"),
            new Case("exec: a\ndir: [7]\n", 2, "dir"));
    for (Case c : cases) {
      ConfigException e = error(c.yaml());
      assertThat(e.line()).as(c.yaml()).isEqualTo(c.line());
      assertThat(e.field()).as(c.yaml()).isEqualTo(c.field());
      assertThat(e.getMessage()).as(c.yaml()).contains("svc.yaml:" + c.line() + ": field '" + c.field() + "': ");
    }
  }

  @Test
  void unknownKeysAreWarnedWithLine() throws Exception {
    ServiceConfig c = load("exec: a\nrespawn: always\nsignal:\n  stop: SIGTERM\n  reload: SIGHUP\n");
    assertThat(c.exec()).containsExactly("a");
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(0)).contains("svc.yaml:2: ").contains("unknown key 'respawn'");
    assertThat(warnings.get(1)).contains("svc.yaml:5: ").contains("unknown key 'signal.reload'");
  }

  @Test
  void loadDirReadsOnlyYamlFilesSortedAndReportsBadOnesWithoutStopping() throws Exception {
    write("b.yaml", "exec: b\n");
    write("a.yaml", "exec: a\nafter: [b]\n");
    write("bad.yaml", "oneshot: maybe\n");
    write("broken.yaml", "exec: [\n");
    write("c.yml", "exec: c\n");
    write("notes.txt", "exec: n\n");
    write(".hidden.yaml", "exec: h\n");
    Files.createDirectory(dir.resolve("sub.yaml"));
    write("z.yaml", "exec: z\nwhat: 1\n");
    ConfigLoader.LoadResult r = ConfigLoader.loadDir(dir, warnings::add);
    assertThat(r.services().keySet()).containsExactly("a", "b", "z");
    assertThat(r.services().get("a").after()).containsExactly("b");
    assertThat(r.errors()).extracting(ConfigException::file)
        .containsExactly(dir.resolve("bad.yaml").toString(), dir.resolve("broken.yaml").toString());
    assertThat(warnings).singleElement().asString().contains("z.yaml:2");
  }

  @Test
  void loadDirReportsFileNamesThatAreNotUtf8InsteadOfMergingThem() throws Exception {
    // Java decodes such a name with U+FFFD for each bad byte: two different files became one
    // service name, the later file silently won, and its name named neither file
    write("good.yaml", "exec: good\n");
    Process p = new ProcessBuilder("sh", "-c",
            "printf 'exec: one\\n' > \"$(printf 'x\\377\\376y').yaml\"; printf 'exec: two\\n' > \"$(printf 'x\\376\\377y').yaml\"")
        .directory(dir.toFile()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
    ConfigLoader.LoadResult r = ConfigLoader.loadDir(dir, warnings::add);
    assertThat(r.services().keySet()).containsExactly("good");
    assertThat(r.errors()).hasSize(2).allSatisfy(e -> assertThat(e.reason()).contains("not valid UTF-8"));
  }

  @Test
  void loadDirOfMissingDirIsOneError() {
    ConfigLoader.LoadResult r = ConfigLoader.loadDir(dir.resolve("nope"), warnings::add);
    assertThat(r.services()).isEmpty();
    assertThat(r.errors()).singleElement().extracting(ConfigException::reason).asString().contains("config directory");
  }

  @Test
  void loadOfMissingFileIsAConfigError() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("x.yaml"), warnings::add))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no such file");
  }

  @Test
  void fromJsonValidatesLikeAFileAndNamesServiceCreate() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ServiceConfig c = ConfigLoader.fromJson("web", json.readTree("{\"exec\":\"httpd -f\",\"after\":[\"db\"]}"));
    assertThat(c.name()).isEqualTo("web");
    assertThat(c.exec()).containsExactly("httpd", "-f");
    assertThatThrownBy(() -> ConfigLoader.fromJson("web", json.readTree("{\"exec\":\"a\",\"oneshot\":\"maybe\"}")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("web.yaml (service_create): field 'oneshot': must be true or false, got a string 'maybe'");
    assertThatThrownBy(() -> ConfigLoader.fromJson("web", json.readTree("[1]")))
        .hasMessageContaining("mapping");
    assertThatThrownBy(() -> ConfigLoader.fromJson("../x", json.readTree("{\"exec\":\"a\"}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not a valid service name");
  }

  @Test
  void envValuesStayAsWrittenEvenWhereYamlWouldReadBooleansOrNumbers() throws Exception {
    ServiceConfig c = load("exec: a\nenv:\n  A: no\n  B: on\n  C: 0x1F\n  D: 1e3\n  F: 010\n");
    assertThat(c.env()).isEqualTo(Map.of("A", "no", "B", "on", "C", "0x1F", "D", "1e3", "F", "010"));
  }

  @Test
  void aliasesAndSeveralDocumentsAreErrors() throws Exception {
    assertThat(error("x: &v a\nexec: *v\n").reason()).contains("aliases");
    ConfigException e = error("exec: a\n---\nexec: b\n");
    assertThat(e.reason()).contains("more than one YAML document");
  }

  @Test
  void messageLeavesOutUnknownLineAndMissingField() {
    assertThat(new ConfigException("f.yaml", 0, null, "why").getMessage()).isEqualTo("f.yaml: why");
    assertThat(new ConfigException("f.yaml", 3, "exec", "why").getMessage()).isEqualTo("f.yaml:3: field 'exec': why");
  }

  @Test
  void nestingDeeperThanTheBoundIsAnErrorWithItsLine() throws Exception {
    String deep = "exec: /bin/true\nx:\n" + "  - ".repeat(1) + "[".repeat(2000) + "]".repeat(2000) + "\n";
    ConfigException e = error(deep);
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.reason()).contains("nested more than " + Nesting.MAX_DEPTH + " levels");
  }

  @Test
  void nestingAtTheBoundStillLoads() throws Exception {
    int inner = Nesting.MAX_DEPTH - 1; // the file's own mapping is the first level
    ServiceConfig c = load("exec: /bin/true\nx: " + "[".repeat(inner) + "]".repeat(inner) + "\n");
    assertThat(c.exec()).containsExactly("/bin/true");
    assertThat(warnings).singleElement().asString().contains("unknown key 'x'");
  }

  @Test
  void manyDeepFilesInOneDirAreEachReportedAndTheOthersLoad() throws Exception {
    for (int i = 0; i < 10; i++) {
      write("deep" + i + ".yaml", "exec: /bin/true\nx: " + "{a: ".repeat(900) + "1" + "}".repeat(900) + "\n");
    }
    write("good.yaml", "exec: /bin/true\n");
    ConfigLoader.LoadResult r = ConfigLoader.loadDir(dir, warnings::add);
    assertThat(r.services()).containsOnlyKeys("good");
    assertThat(r.errors()).hasSize(10).allSatisfy(e -> assertThat(e.getMessage()).contains(":2: nested more than"));
  }

  @Test
  void depthCountsContainersOnTheDeepestPath() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(Nesting.depth(json.readTree("1"))).isZero();
    assertThat(Nesting.depth(json.readTree("{\"a\": 1}"))).isEqualTo(1);
    assertThat(Nesting.depth(json.readTree("{\"a\": [1, {\"b\": []}], \"c\": {}}"))).isEqualTo(4);
  }
}
