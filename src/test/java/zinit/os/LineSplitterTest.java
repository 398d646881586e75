package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
  private final List<String> lines = new ArrayList<>();
  private final LineSplitter splitter = new LineSplitter(lines::add);

  private void feed(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    splitter.feed(b, 0, b.length);
  }

  @Test
  void linesSplitAcrossReadsAreJoined() {
    feed("hel");
    feed("lo\nwor");
    feed("ld\n");
    assertThat(lines).containsExactly("hello", "world");
  }

  @Test
  void finishDeliversTheUnterminatedRestOnlyIfAny() {
    feed("a\nb");
    splitter.finish();
    splitter.finish();
    assertThat(lines).containsExactly("a", "b");
  }

  @Test
  void cutNeverSplitsAMultiByteCharacter() {
    String head = "x".repeat(LineSplitter.MAX_LINE - 1);
    feed(head + "é" + "y\n"); // é is two bytes and would straddle the cut
    assertThat(lines).containsExactly(head, "éy");
  }

  @Test
  void everyLineOfOneReadComesOutWholeAndInOrderIncludingEmptyOnes() {
    feed("one\n\ntwo é\nthr");
    feed("ee\nfour\n");
    assertThat(lines).containsExactly("one", "", "two é", "three", "four");
  }

  @Test
  void aLineOfExactlyMaxBytesIsNotCutButOneByteMoreIs() {
    String max = "m".repeat(LineSplitter.MAX_LINE);
    feed(max + "\n" + max + "+\n");
    assertThat(lines).containsExactly(max, max, "+");
  }

  @Test
  void anOffsetSliceIsSplitWithoutTheBytesAroundIt() {
    byte[] b = "XXa\nbc\nYY".getBytes(StandardCharsets.UTF_8);
    splitter.feed(b, 2, 6);
    assertThat(lines).containsExactly("a", "bc");
  }

  @Test
  void aHighByteIsDecodedAsUtf8NeverAsLatin1() {
    // 0xE9 alone is é in ISO-8859-1 but invalid UTF-8; next to plain ASCII lines of the same read
    byte[] b = {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n', 'z', '\n'};
    splitter.feed(b, 0, b.length);
    assertThat(lines).containsExactly("ok", "caf\ufffd", "z");
  }
}
