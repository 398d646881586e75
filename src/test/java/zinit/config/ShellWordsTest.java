package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellWordsTest {
  @Test
  void splitsOnBlanksAndCollapsesRuns() {
    assertThat(ShellWords.split("  /bin/echo   a\tb\n c ")).containsExactly("/bin/echo", "a", "b", "c");
  }

  @Test
  void emptyAndBlankGiveNoWords() {
    assertThat(ShellWords.split("")).isEmpty();
    assertThat(ShellWords.split("   ")).isEmpty();
  }

  @Test
  void singleQuotesAreLiteral() {
    assertThat(ShellWords.split("sh -c 'echo $HOME \\n \"x\"'"))
        .containsExactly("sh", "-c", "echo $HOME \\n \"x\"");
  }

  @Test
  void doubleQuotesKeepBlanksAndHonourBackslashEscapes() {
    assertThat(ShellWords.split("echo \"a  b\" \"q\\\"uote\" \"back\\\\slash\" \"keep\\n\""))
        .containsExactly("echo", "a  b", "q\"uote", "back\\slash", "keep\\n");
  }

  @Test
  void backslashOutsideQuotesEscapesNextChar() {
    assertThat(ShellWords.split("a\\ b c\\'d \\\"")).containsExactly("a b", "c'd", "\"");
  }

  @Test
  void adjacentQuotedPartsJoinIntoOneWord() {
    assertThat(ShellWords.split("--opt='a b'\"c\"d")).containsExactly("--opt=a bcd");
  }

  @Test
  void emptyQuotesAreAnEmptyWord() {
    assertThat(ShellWords.split("prog '' \"\"")).containsExactly("prog", "", "");
  }

  @Test
  void unterminatedQuotesAndTrailingBackslashAreErrors() {
    assertThatThrownBy(() -> ShellWords.split("echo 'abc")).hasMessageContaining("unterminated single quote");
    assertThatThrownBy(() -> ShellWords.split("echo \"abc")).hasMessageContaining("unterminated double quote");
    assertThatThrownBy(() -> ShellWords.split("echo abc\\")).hasMessageContaining("trailing backslash");
  }
}
