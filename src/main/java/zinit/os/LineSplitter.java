package zinit.os;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns a byte stream into lines for {@link zinit.supervisor.OutputSink.Lines}. A line longer than
 * {@link #MAX_LINE} bytes is cut: its first {@code MAX_LINE} bytes are delivered as one line and
 * the rest follows as further chunks (nothing is dropped). Cuts never split a UTF-8 sequence. The
 * final unterminated line is delivered by {@link #finish()}.
 */
final class LineSplitter {
  static final int MAX_LINE = 8192;

  private final Consumer<String> consumer;
  private final byte[] line = new byte[MAX_LINE];
  private int length;

  LineSplitter(Consumer<String> consumer) {
    this.consumer = consumer;
  }

  void feed(byte[] data, int offset, int count) {
    int end = offset + count;
    for (int start = offset; start < end; ) {
      int nl = start;
      int high = 0; // any byte >= 0x80 seen: the line is not plain ASCII
      while (nl < end && data[nl] != '\n') high |= data[nl++];
      if (length == 0 && nl < end && nl - start <= MAX_LINE) {
        // the common case, a whole line inside this read: one String, no copy through `line`.
        // ASCII reads the same in ISO-8859-1 and UTF-8; the former is a plain copy where UTF-8
        // decoding scans the bytes again (without the scan intrinsic under C1, zinit's compiler).
        consumer.accept(new String(data, start, nl - start, high < 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
      } else {
        for (int i = start; i < nl; i++) {
          if (length == MAX_LINE) emit(cutPoint());
          line[length++] = data[i];
        }
        if (nl < end) emit(length);
      }
      start = nl + 1;
    }
  }

  void finish() {
    if (length > 0) emit(length);
  }

  /** The longest prefix of the full buffer that ends on a UTF-8 character boundary. */
  private int cutPoint() {
    int i = length;
    // Step back over continuation bytes (10xxxxxx) to the lead byte of the last sequence.
    int back = 0;
    while (back < 3 && i - back - 1 >= 0 && (line[i - back - 1] & 0xC0) == 0x80) back++;
    int lead = i - back - 1;
    if (lead < 0) return length;
    int need = sequenceLength(line[lead]);
    return need > back + 1 ? lead : length;
  }

  private static int sequenceLength(byte lead) {
    int b = lead & 0xFF;
    if (b >= 0xF0) return 4;
    if (b >= 0xE0) return 3;
    if (b >= 0xC0) return 2;
    return 1;
  }

  private void emit(int count) {
    if (count == 0 && length > 0) count = length; // degenerate input: never stall
    String text = new String(line, 0, count, StandardCharsets.UTF_8);
    System.arraycopy(line, count, line, 0, length - count);
    length -= count;
    consumer.accept(text);
  }
}
