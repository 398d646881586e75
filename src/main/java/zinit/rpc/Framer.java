package zinit.rpc;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;
import zinit.guard.ByteBudget;

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

  /** All connections together hold as many request bytes as the budget allows; this one gets none. */
  static final class Busy extends Exception {
    Busy(long budget) {
      super("zinit is busy: requests being received fill its " + (budget >> 20) + " MiB buffer budget; retry later", null, false, false);
    }
  }

  private static final int INITIAL = 1024;
  private final int limit;
  private final ByteBudget budget;
  private byte[] buf = new byte[INITIAL];
  private long charged; // bytes of buf beyond INITIAL, taken from the budget
  private int len;
  // state of the text being collected (len > 0)
  private boolean bare;
  private int depth;
  private boolean inString;
  private boolean escaped;

  Framer(int limit, ByteBudget budget) {
    this.limit = limit;
    this.budget = budget;
  }

  /** Whether a text has started and not ended. */
  boolean pending() {
    return len > 0;
  }

  /** Gives the buffer's bytes back to the budget; call once, when the connection ends. */
  void release() {
    budget.give(charged);
    charged = 0;
    buf = new byte[0];
  }

  void feed(ByteBuffer in, Consumer<byte[]> sink) throws TooLarge, Busy {
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

  private void append(byte b) throws TooLarge, Busy {
    if (len == limit) throw new TooLarge(limit);
    if (len == buf.length) {
      int grown = Math.min(limit, buf.length * 2);
      if (!budget.tryTake(grown - buf.length)) throw new Busy(budget.capacity());
      charged += grown - buf.length;
      buf = Arrays.copyOf(buf, grown);
    }
    buf[len++] = b;
  }

  private byte[] take() {
    byte[] text = Arrays.copyOf(buf, len);
    len = 0;
    if (buf.length > 64 * 1024) {
      budget.give(charged);
      charged = 0;
      buf = new byte[INITIAL];
    }
    return text;
  }
}
