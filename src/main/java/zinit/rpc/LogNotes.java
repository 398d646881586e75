package zinit.rpc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The {@code stream_subscribeLogs} notifications of one subscription, encoded by hand into one
 * reusable buffer: a chatty service makes tens of thousands of them a second, and a JSON tree plus
 * a generator per line cost more than everything else on the log path together. The text is the
 * same as Jackson writes for that tree: one JSON object per line.
 *
 * <p>Not thread-safe: one per subscription pump.
 */
final class LogNotes {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TAIL = "\"}}\n".getBytes(StandardCharsets.US_ASCII);

  private final byte[] head;
  private byte[] out = new byte[16 * 1024];
  private int length;
  private char[] chars = new char[256];

  LogNotes(long subscription) {
    head =
        ("{\"jsonrpc\":\"2.0\",\"method\":\"stream_subscribeLogs\",\"params\":{\"subscription\":"
                + subscription
                + ",\"result\":\"")
            .getBytes(StandardCharsets.US_ASCII);
  }

  /** Appends the notification of one line. */
  void add(String line) {
    int n = line.length();
    if (chars.length < n) chars = new char[Math.max(n, chars.length * 2)];
    line.getChars(0, n, chars, 0);
    // worst case: 6 bytes per char (\\u00XX), plus the fixed parts
    ensure(head.length + 6 * n + TAIL.length);
    byte[] b = out;
    int p = length;
    System.arraycopy(head, 0, b, p, head.length);
    p += head.length;
    char[] c = chars;
    for (int i = 0; i < n; i++) {
      char ch = c[i];
      if (ch >= 0x20 && ch < 0x80) {
        if (ch == '"' || ch == '\\') b[p++] = '\\';
        b[p++] = (byte) ch;
      } else if (ch < 0x20) {
        p = control(b, p, ch);
      } else if (ch < 0x800) {
        b[p++] = (byte) (0xC0 | ch >> 6);
        b[p++] = (byte) (0x80 | ch & 0x3F);
      } else if (!Character.isSurrogate(ch)) {
        p = three(b, p, ch);
      } else if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(c[i + 1])) {
        int cp = Character.toCodePoint(ch, c[++i]);
        b[p++] = (byte) (0xF0 | cp >> 18);
        b[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
        b[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
        b[p++] = (byte) (0x80 | cp & 0x3F);
      } else {
        b[p++] = '?'; // a lone surrogate has no UTF-8 form; String.getBytes writes '?' too
      }
    }
    System.arraycopy(TAIL, 0, b, p, TAIL.length);
    length = p + TAIL.length;
  }

  /** Bytes appended since the last {@link #take}. */
  int size() {
    return length;
  }

  /** What was appended, as a new array, and starts over. */
  byte[] take() {
    byte[] copy = Arrays.copyOf(out, length);
    length = 0;
    return copy;
  }

  private static int control(byte[] b, int p, char ch) {
    b[p++] = '\\';
    switch (ch) {
      case '\n' -> b[p++] = 'n';
      case '\r' -> b[p++] = 'r';
      case '\t' -> b[p++] = 't';
      case '\b' -> b[p++] = 'b';
      case '\f' -> b[p++] = 'f';
      default -> {
        b[p++] = 'u';
        b[p++] = '0';
        b[p++] = '0';
        b[p++] = HEX[ch >> 4];
        b[p++] = HEX[ch & 0xF];
      }
    }
    return p;
  }

  private static int three(byte[] b, int p, char ch) {
    b[p++] = (byte) (0xE0 | ch >> 12);
    b[p++] = (byte) (0x80 | ch >> 6 & 0x3F);
    b[p++] = (byte) (0x80 | ch & 0x3F);
    return p;
  }

  private void ensure(int more) {
    if (out.length - length >= more) return;
    out = Arrays.copyOf(out, Math.max(out.length * 2, length + more));
  }
}
