package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The service-file reader without SnakeYAML: what it takes, SnakeYAML reads into the same tree,
 * lines and plain texts; everything else it leaves to SnakeYAML, whose errors therefore stay as
 * they were. (With -Dzinit.config.crossCheckYaml=true, set for every unit test, each text any test
 * loads is compared the same way.)
 */
class PlainYamlTest {
  /** Service files as people and the benchmark write them: the reader must take these. */
  private static final List<String> COMMON =
      List.of(
          "exec: \"env BENCH_SVC=s000 sh -c 'echo x >> /tmp/b/up-zinit-0; exec sleep 1000'\"\noneshot: false\n"
              + "shutdown_timeout: 10\nlog: ring\n",
          "exec: \"env BENCH_SVC=w sh -c 'echo \\\"a\\\\b\\\"'\"\noneshot: true\nshutdown_timeout: 0\nlog: file\n"
              + "log_file: /tmp/x/w.log\nlog_size: 16M\nlog_keep: 100\n",
          "# comment\n\nexec: sleep 1000 # why\ntest: sh -c 'test -f /x'\nafter:\n  - prepare\n  - \"db\"\n"
              + "shutdown_timeout: 5\n",
          "exec: sleep 1\nafter:\n- a\n- b # c\nenv:\n  A: \"1\"\n  B: two words\n  C: 3\n  D:\n  E: 'it''s'\n"
              + "  F: true\n  G: null\ndir: /tmp\nsignal:\n  stop: SIGINT\n",
          "exec: /bin/x\nlog: null\n",
          "exec: sleep 1000",
          "exec: $HOME/bin/x --url=http://a:80/b?c=[d]{e},f\nlog: stdout\n",
          "exec: sleep 1\nhealth:\n  exec: true\n  interval: 5\n",
          "exec: sleep 1\nlimits:\n  memory: 64M\n  pids: 100\n",
          "exec: sleep 1\nsignal:\n    stop: 9\n",
          "exec: sleep 1\nrestart: always\nuser: nobody\n");

  /** Texts SnakeYAML must read (or refuse) itself. */
  private static final List<String> SNAKES =
      List.of(
          "",
          "# only a comment\n",
          "---\nexec: a\n",
          "exec: a\n...\n",
          "%YAML 1.1\n---\nexec: a\n",
          "exec: a\n\tlog: ring\n",
          "exec: a\r\nlog: ring\r\n",
          "exec: \"a\\tb\"\n",
          "exec: \"a\n  b\"\n",
          "exec: a\n  b\n",
          "exec: &x a\ntest: *x\n",
          "exec: !!str 1\n",
          "exec: [a, b]\n",
          "exec: {a: b}\n",
          "exec: |\n  a\n",
          "exec: >\n  a\n",
          "exec: a\nexec: b\n",
          "exec: a: b\n",
          "exec: yes\n",
          "oneshot: True\n",
          "oneshot: on\n",
          "oneshot: Off\n",
          "log: Null\n",
          "log: ~\n",
          "shutdown_timeout: 1.5\n",
          "shutdown_timeout: 010\n",
          "shutdown_timeout: 0x10\n",
          "shutdown_timeout: 1_000\n",
          "shutdown_timeout: 1:30\n",
          "shutdown_timeout: -1\n",
          "shutdown_timeout: 12345678901\n",
          "shutdown_timeout: 1e5\n",
          "dir: 2026-12-01\n",
          "  exec: a\n",
          "exec: a\n  log: b\n",
          "- a\n- b\n",
          "a\n",
          "exec:a\n",
          "exec : a\n",
          "\"exec\": a\n",
          "yes: a\n",
          "exec: a\nafter:\n  - name: x\n",
          "exec: a\nafter:\n  -\n",
          "exec: a\nafter:\n  - - x\n",
          "exec: a\nx:\n  y:\n    z:\n      w: 1\n",
          "exec: \"a\" b\n",
          "exec: 'a'b\n",
          "exec: \"a\"#b\n",
          "exec: caf\u00e9\n",
          "\uFEFFexec: a\n",
          "exec: .inf\n",
          "exec: <<\n",
          "exec: =\n",
          "exec: @a\n",
          "exec: `a`\n");

  @Test
  void commonFilesAreReadAsSnakeYamlReadsThem() throws Exception {
    for (String text : COMMON) {
      YamlTree plain = PlainYaml.read(text);
      assertThat(plain).as(text).isNotNull();
      assertThat(plain).as(text).isEqualTo(YamlTree.parse(text));
    }
  }

  @Test
  void everythingElseIsLeftToSnakeYaml() {
    for (String text : SNAKES) assertThat(PlainYaml.read(text)).as(text).isNull();
  }

  @Test
  void theExamplesAreReadAsSnakeYamlReadsThem() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("examples"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      String text = Files.readString(f);
      YamlTree plain = PlainYaml.read(text);
      assertThat(plain).as(f.toString()).isNotNull();
      assertThat(plain).as(f.toString()).isEqualTo(YamlTree.parse(text));
    }
  }

  /** Random files of tricky scalars, keys and layouts: taken means read as SnakeYAML reads it. */
  @Test
  void whatItTakesSnakeYamlReadsTheSame() throws Exception {
    String[] scalars = {
      "a", "sleep 1000", "true", "false", "null", "yes", "No", "ON", "y", "n", "~", "0", "7", "10", "007",
      "123456789", "1234567890", "16M", "1e5", "1E", "0x1f", "1_0", "1.5", ".5", "1:30", "2026-12-01", "-1", "+1",
      "\"q\"", "\"a \\\"b\\\" c\"", "\"a\\\\b\"", "\"\\n\"", "'s'", "'it''s'", "''", "\"\"", "a # c", "a #c", "a#c",
      "a: b", "a:", "a:b", "http://x:80", "/bin/x", "$X", "_x", "[a]", "{a}", "a [b]", "a, b", "&a", "*a", "!a",
      "|", ">", "%a", "@a", "`a`", "-a", "- a", "? a", ":a", ",a", "#a", "a  ", "\"a\"  # c", "'a' #c", "<<", "=",
      ".nan", "Null", "NULL", "True", "FALSE"
    };
    String[] keys = {"exec", "log", "env", "after", "x_y", "a-b", "null", "on", "k1", "_k"};
    Random random = new Random(20261201);
    int taken = 0;
    for (int n = 0; n < 20000; n++) {
      StringBuilder text = new StringBuilder();
      List<String> used = new ArrayList<>();
      int entries = 1 + random.nextInt(4);
      for (int e = 0; e < entries; e++) {
        String key = keys[random.nextInt(keys.length)];
        if (random.nextInt(10) == 0) text.append("# note\n");
        if (random.nextInt(12) == 0) text.append("\n");
        switch (random.nextInt(4)) {
          case 0, 1 -> text.append(key).append(": ").append(scalars[random.nextInt(scalars.length)]).append('\n');
          case 2 -> {
            String indent = random.nextBoolean() ? "  " : "";
            text.append(key).append(":\n");
            for (int i = random.nextInt(3); i >= 0; i--) {
              text.append(indent).append("- ").append(scalars[random.nextInt(scalars.length)]).append('\n');
            }
          }
          default -> {
            String indent = random.nextBoolean() ? "  " : "    ";
            text.append(key).append(":\n");
            for (int i = random.nextInt(3); i >= 0; i--) {
              text.append(indent).append(keys[random.nextInt(keys.length)]).append(": ")
                  .append(scalars[random.nextInt(scalars.length)]).append('\n');
            }
          }
        }
        used.add(key);
      }
      String t = random.nextInt(8) == 0 ? text.substring(0, text.length() - 1) : text.toString();
      YamlTree plain = PlainYaml.read(t);
      if (plain == null) continue;
      taken++;
      YamlTree full;
      try {
        full = YamlTree.parse(t);
      } catch (YamlTree.SyntaxError err) {
        throw new AssertionError("taken, but SnakeYAML refuses it (" + err.getMessage() + "):\n" + t);
      }
      assertThat(plain).as(t).isEqualTo(full);
    }
    assertThat(taken).isGreaterThan(1000);
  }
}
