package zinit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlTest {
  @Test
  void listPrintsOneNameStateLinePerService() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("redis", "Running");
    m.put("web", "Error(Exited(Pid(12), 1))");
    assertThat(Yaml.document(m)).isEqualTo("---\nredis: Running\nweb: \"Error(Exited(Pid(12), 1))\"\n");
  }

  @Test
  void emptyCollectionsAreInline() {
    assertThat(Yaml.document(Map.of())).isEqualTo("--- {}\n");
    assertThat(Yaml.document(Map.of("after", Map.of()))).isEqualTo("---\nafter: {}\n");
  }

  @Test
  void nestedMapsAndListsIndentByTwo() {
    Map<String, Object> child = new LinkedHashMap<>();
    child.put("pid", 11L);
    child.put("memory_usage", 5242880L);
    child.put("cpu_usage", 1.25);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", "redis");
    m.put("cpu_usage", 0.0);
    m.put("after", Map.of("db", "Running"));
    m.put("children", List.of(child, child));
    assertThat(Yaml.document(m))
        .isEqualTo(
            "---\nname: redis\ncpu_usage: 0.0\nafter:\n  db: Running\nchildren:\n"
                + "  - pid: 11\n    memory_usage: 5242880\n    cpu_usage: 1.25\n"
                + "  - pid: 11\n    memory_usage: 5242880\n    cpu_usage: 1.25\n");
  }

  @Test
  void stringsThatYamlWouldMisreadAreQuoted() {
    assertThat(Yaml.scalar("true")).isEqualTo("\"true\"");
    assertThat(Yaml.scalar("12")).isEqualTo("\"12\"");
    assertThat(Yaml.scalar("a: b")).isEqualTo("\"a: b\"");
    assertThat(Yaml.scalar("")).isEqualTo("\"\"");
    assertThat(Yaml.scalar("say \"hi\"\n")).isEqualTo("\"say \\\"hi\\\"\\n\"");
    assertThat(Yaml.scalar("Running")).isEqualTo("Running");
  }
}
