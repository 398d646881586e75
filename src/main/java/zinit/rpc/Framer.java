package zinit.rpc;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a connection's byte stream into JSON texts, so requests may come back to back or newline
 * separated. An object or array ends at its matching bracket (strings and escapes respected);
 * anything else (a scalar, garbage) runs to the end of its line. Cutting before parsing lets a
 * parse error cost one text instead of the connection, and bounds every text's size.
 */
final class Framer {
  /** A text grew past the limit; the stream cannot be resynchronised. */
  static final class TooLarge extends Exception {
    TooLarge(int limit) {
      super("request larger than " + limit + " bytes", null, false, false);
    }
  }

  private final int limit;
  private byte[] buf = new byte[1024];
  private int len;
  // state of the text being collected (len > 0)
  private boolean bare;
  private int depth;
  private boolean inString;
  private boolean escaped;

  Framer(int limit) {
    this.limit = limit;
  }

  void feed(ByteBuffer in, Consumer<byte[]> sink) throws TooLarge {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (len == 0) {
        if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
        bare = b != '{' && b != '[';
        depth = 0;
        inString = false;
        escaped = false;
      }
      if (bare) {
        if (b == '\n') {
          sink.accept(take());
          continue;
        }
        append(b);
        continue;
      }
      append(b);
      if (inString) {
        if (escaped) escaped = false;
        else if (b == '\\') escaped = true;
        else if (b == '"') inString = false;
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        depth++;
      } else if ((b == '}' || b == ']') && --depth == 0) {
        sink.accept(take());
      }
    }
  }

  /** At end of input: the unfinished text, or null when there is none. */
  byte[] rest() {
    return len == 0 ? null : take();
  }

  private void append(byte b) throws TooLarge {
    if (len == limit) throw new TooLarge(limit);
    if (len == buf.length) buf = Arrays.copyOf(buf, Math.min(limit, buf.length * 2));
    buf[len++] = b;
  }

  private byte[] take() {
    byte[] text = Arrays.copyOf(buf, len);
    len = 0;
    if (buf.length > 64 * 1024) buf = new byte[1024];
    return text;
  }
}
