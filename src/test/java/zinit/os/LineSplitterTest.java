package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import zinit.logs.LineBatch;

class LineSplitterTest {
  private final List<String> lines = new ArrayList<>();
  private final List<Integer> batches = new ArrayList<>(); // lines per delivered batch
  private final LineSplitter splitter =
      new LineSplitter(
          b -> {
            batches.add(b.count());
            for (int i = 0; i < b.count(); i++) lines.add(b.text(i));
          },
          new LineBatch());

  private void feed(String s) {
    feed(s.getBytes(StandardCharsets.UTF_8));
  }

  /** As the pipe reader does: the bytes after MAX_LINE bytes the splitter may use, garbage there. */
  private void feed(byte[] b) {
    byte[] buf = new byte[LineSplitter.MAX_LINE + b.length];
    java.util.Arrays.fill(buf, 0, LineSplitter.MAX_LINE, (byte) '#');
    System.arraycopy(b, 0, buf, LineSplitter.MAX_LINE, b.length);
    splitter.feed(buf, LineSplitter.MAX_LINE, b.length);
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
    byte[] b = ("#".repeat(LineSplitter.MAX_LINE) + "XXa\nbc\nYY").getBytes(StandardCharsets.UTF_8);
    splitter.feed(b, LineSplitter.MAX_LINE + 2, 6);
    assertThat(lines).containsExactly("a", "bc");
  }

  @Test
  void aReadWithoutRoomForTheCarriedLineIsRefused() {
    byte[] b = "a\n".getBytes(StandardCharsets.UTF_8);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> splitter.feed(b, 0, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyLineOfOneReadComesInOneBatch() {
    feed("a\nb\nc\nd");
    feed("\ne\n");
    assertThat(batches).containsExactly(3, 2);
    assertThat(lines).containsExactly("a", "b", "c", "d", "e");
  }

  @Test
  void aReadWithNoNewlineDeliversNothingUntilTheLineEnds() {
    feed("no newline yet");
    feed(" still none");
    assertThat(lines).isEmpty();
    feed(", now\n");
    assertThat(lines).containsExactly("no newline yet still none, now");
  }

  @Test
  void aLineLongerThanAnyCapAcrossManyReadsIsCutIntoMaxPiecesNothingDropped() {
    String big = "0123456789".repeat(3 * LineSplitter.MAX_LINE / 10 + 7); // over 3 cuts
    for (int i = 0; i < big.length(); i += 1000) feed(big.substring(i, Math.min(big.length(), i + 1000)));
    feed("\nnext\n");
    assertThat(String.join("", lines.subList(0, lines.size() - 1))).isEqualTo(big);
    assertThat(lines.subList(0, 3)).allSatisfy(l -> assertThat(l).hasSize(LineSplitter.MAX_LINE));
    assertThat(lines.getLast()).isEqualTo("next");
  }

  @Test
  void aLongLineWithinOneReadIsCutTheSameWay() {
    String big = "z".repeat(2 * LineSplitter.MAX_LINE + 5);
    feed("a\n" + big + "\nb\n");
    assertThat(lines).containsExactly("a", "z".repeat(LineSplitter.MAX_LINE), "z".repeat(LineSplitter.MAX_LINE), "zzzzz", "b");
  }

  @Test
  void anUnterminatedLongTailIsCutAsItComesAndItsRestFlushedAtTheEnd() {
    feed("x".repeat(LineSplitter.MAX_LINE + 3));
    assertThat(lines).containsExactly("x".repeat(LineSplitter.MAX_LINE));
    splitter.finish();
    assertThat(lines).containsExactly("x".repeat(LineSplitter.MAX_LINE), "xxx");
  }

  @Test
  void carriageReturnsStayInTheLine() {
    feed("dos\r\nunix\n\r\n");
    assertThat(lines).containsExactly("dos\r", "unix", "\r");
  }

  @Test
  void invalidUtf8AcrossReadsIsReplacedOnlyWhereInvalid() {
    // é (C3 A9) split over two reads is valid; a lone C3 before ASCII is not
    feed(new byte[] {'a', (byte) 0xC3});
    feed(new byte[] {(byte) 0xA9, '\n', (byte) 0xC3, 'b', '\n', 'o', 'k', '\n'});
    assertThat(lines).containsExactly("a\u00e9", "\ufffdb", "ok");
  }

  @Test
  void aHighByteAnywhereInALineMakesItsBatchNotAsciiWhereverTheWordBoundariesFall() {
    for (int before = 0; before < 20; before++) {
      for (int after = 0; after < 10; after++) {
        List<Boolean> ascii = new ArrayList<>();
        List<String> got = new ArrayList<>();
        LineSplitter s =
            new LineSplitter(
                b -> {
                  ascii.add(b.ascii());
                  for (int i = 0; i < b.count(); i++) got.add(b.text(i));
                },
                new LineBatch());
        byte[] line = ("a".repeat(before) + "#" + "b".repeat(after) + "\n").getBytes(StandardCharsets.UTF_8);
        line[before] = (byte) 0xE9;
        byte[] buf = new byte[LineSplitter.MAX_LINE + line.length];
        System.arraycopy(line, 0, buf, LineSplitter.MAX_LINE, line.length);
        s.feed(buf, LineSplitter.MAX_LINE, line.length);
        assertThat(got).containsExactly("a".repeat(before) + "\ufffd" + "b".repeat(after));
        assertThat(ascii).containsExactly(false);
      }
    }
  }

  @Test
  void aHighByteAfterTheNewlineInTheSameWordLeavesTheLineBeforeItAscii() {
    List<Boolean> ascii = new ArrayList<>();
    LineSplitter s = new LineSplitter(b -> ascii.add(b.ascii()), new LineBatch());
    byte[] in = {'a', 'b', '\n', (byte) 0xE9};
    byte[] buf = new byte[LineSplitter.MAX_LINE + in.length];
    System.arraycopy(in, 0, buf, LineSplitter.MAX_LINE, in.length);
    s.feed(buf, LineSplitter.MAX_LINE, in.length);
    assertThat(ascii).containsExactly(true);
  }

  @Test
  void manyEmptyLinesComeInBoundedBatches() {
    feed("\n".repeat(LineSplitter.MAX_BATCH * 2 + 1));
    assertThat(batches).containsExactly(LineSplitter.MAX_BATCH, LineSplitter.MAX_BATCH, 1);
    assertThat(lines).hasSize(LineSplitter.MAX_BATCH * 2 + 1).allMatch(String::isEmpty);
  }

  @Test
  void aHighByteIsDecodedAsUtf8NeverAsLatin1() {
    // 0xE9 alone is é in ISO-8859-1 but invalid UTF-8; next to plain ASCII lines of the same read
    feed(new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n', 'z', '\n'});
    assertThat(lines).containsExactly("ok", "caf\ufffd", "z");
  }

  @Test
  void firstByteIsTheLowestMarkedByteForEveryMarkSet() {
    // every one of the 255 non-empty sets of marked bytes (high bit of byte k set)
    for (int set = 1; set < 256; set++) {
      long marks = 0;
      for (int k = 0; k < 8; k++) if ((set & (1 << k)) != 0) marks |= 0x80L << (8 * k);
      assertThat(LineSplitter.firstByte(marks)).as("marks %016x", marks).isEqualTo(Integer.numberOfTrailingZeros(set));
    }
  }

  @Test
  void newlineInEveryPositionOfAWordIsFound() {
    for (int at = 0; at < 24; at++) {
      lines.clear();
      byte[] b = "abcdefghijklmnopqrstuvwx\n".getBytes(StandardCharsets.US_ASCII);
      b[at] = '\n';
      feed(b);
      String all = new String(b, StandardCharsets.US_ASCII);
      assertThat(lines).containsExactly(all.substring(0, at), all.substring(at + 1, 24));
    }
  }
}
