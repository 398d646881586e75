package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** env_file parsing: the cases dotenv files are written with, and the lines that are refused. */
class DotEnvTest {
  private static Map<String, String> parse(String... lines) throws DotEnv.Error {
    return DotEnv.parse(List.of(lines));
  }

  @Test
  void commentsBlanksExportAndQuotes() throws Exception {
    assertThat(
            parse(
                "# a comment",
                "",
                "PLAIN=value",
                "export EXPORTED=yes",
                "  SPACED = around  ",
                "SINGLE='no $expansion \\n here'",
                "DOUBLE=\"line\\nbreak \\\"quoted\\\" \\$HOME\"",
                "TRAILING=bare # comment",
                "HASH=a#b",
                "EMPTY=",
                "EQUALS=a=b=c"))
        .containsExactly(
            Map.entry("PLAIN", "value"),
            Map.entry("EXPORTED", "yes"),
            Map.entry("SPACED", "around"),
            Map.entry("SINGLE", "no $expansion \\n here"),
            Map.entry("DOUBLE", "line\nbreak \"quoted\" $HOME"),
            Map.entry("TRAILING", "bare"),
            Map.entry("HASH", "a#b"),
            Map.entry("EMPTY", ""),
            Map.entry("EQUALS", "a=b=c"));
  }

  @Test
  void laterLineWins() throws Exception {
    assertThat(parse("A=1", "A=2")).containsExactly(Map.entry("A", "2"));
  }

  @Test
  void badLinesNameTheirLine() {
    assertThatThrownBy(() -> parse("OK=1", "just words"))
        .isInstanceOfSatisfying(DotEnv.Error.class, e -> assertThat(e.line).isEqualTo(2))
        .hasMessageContaining("KEY=VALUE");
    assertThatThrownBy(() -> parse("1BAD=x"))
        .hasMessageContaining("'1BAD' is not a variable name");
    assertThatThrownBy(() -> parse("Q=\"open"))
        .hasMessageContaining("unterminated double quote");
    assertThatThrownBy(() -> parse("Q='open"))
        .hasMessageContaining("unterminated single quote");
    assertThatThrownBy(() -> parse("Q='a' b"))
        .hasMessageContaining("text after the closing quote");
  }
}
