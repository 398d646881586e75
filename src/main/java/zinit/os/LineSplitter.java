package zinit.os;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import zinit.logs.LineBatch;

/**
 * Turns a byte stream into lines, handed on as {@link LineBatch}es: every line a read completes,
 * in one batch (the common case: no line copied, the batch points into the read's bytes). A line
 * longer than {@link #MAX_LINE} bytes is cut: its first {@code MAX_LINE} bytes are one line and the
 * rest follows as further lines (nothing is dropped). Cuts never split a UTF-8 sequence. The final
 * unterminated line is delivered by {@link #finish()}.
 */
final class LineSplitter {
  static final int MAX_LINE = 8192;
  /** Lines per batch at most, so a read of empty lines does not grow the batch without bound. */
  static final int MAX_BATCH = 4096;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
  private static final long LOW_BITS = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  // the bytes before the newline newline() found last, or'ed: a byte >= 0x80 among them sets a high bit
  private long high;
  private final Consumer<LineBatch> consumer;
  private final LineBatch batch;
  private byte[] carry; // the unterminated end of the last read, at most MAX_LINE bytes
  private int carried;

  /** {@code batch}: reused for every delivery (several splitters on one thread may share one). */
  LineSplitter(Consumer<LineBatch> consumer, LineBatch batch) {
    this.consumer = consumer;
    this.batch = batch;
  }

  /**
   * Splits {@code data[offset .. offset+count)}. The caller leaves {@link #MAX_LINE} bytes in front
   * of {@code offset} that this may overwrite: the unterminated line of the previous read is put
   * there, so every line of this read, that one too, lies in {@code data}.
   */
  void feed(byte[] data, int offset, int count) {
    if (offset < MAX_LINE) throw new IllegalArgumentException("need " + MAX_LINE + " bytes before offset " + offset);
    int start = offset - carried;
    if (carried > 0) System.arraycopy(carry, 0, data, start, carried);
    int end = offset + count;
    batch.reset(data);
    LineBatch b = batch;
    for (int nl; (nl = newline(data, start, end)) >= 0; start = nl + 1) {
      if (nl - start <= MAX_LINE && b.count() < MAX_BATCH - 1) {
        b.add(start, nl, (high & HIGH_BITS) == 0); // the common case of add(), one call less
      } else {
        add(data, start, nl, (high & HIGH_BITS) == 0);
      }
    }
    // the unterminated rest: cut while longer than a line may be, the remainder kept for next time
    while (end - start > MAX_LINE) start = addCut(data, start);
    deliver();
    carried = end - start;
    if (carried > 0) {
      if (carry == null) carry = new byte[MAX_LINE];
      System.arraycopy(data, start, carry, 0, carried);
    }
  }

  /**
   * The index of the first newline in {@code data[from .. end)}, or -1. Eight bytes at a time (a
   * flat-out service's CPU per line is mostly this scan, and zinit's compiler, C1, does not
   * vectorise a loop over bytes).
   */
  private int newline(byte[] data, int from, int end) {
    long seen = 0;
    int i = from;
    for (; i + 8 <= end; i += 8) {
      long w = (long) LONGS.get(data, i);
      long x = w ^ NEWLINES;
      long zero = (x - LOW_BITS) & ~x & HIGH_BITS; // lowest set bit: the first 0x0a byte
      if (zero != 0) {
        int k = firstByte(zero);
        high = seen | (w & ((1L << (8 * k)) - 1));
        return i + k;
      }
      seen |= w;
    }
    for (; i < end; i++) {
      if (data[i] == '\n') {
        high = seen;
        return i;
      }
      seen |= data[i];
    }
    return -1;
  }

  /**
   * The index (0-7) of the lowest byte whose high bit is set in {@code marks} (not 0): the lowest
   * such bit alone, moved to bit 0 of its byte, times a constant whose byte 7-k is k, leaves k in
   * the top byte. Long.numberOfTrailingZeros is a call of two further methods under C1.
   */
  static int firstByte(long marks) {
    return (int) ((((marks & -marks) >>> 7) * 0x0001020304050607L) >>> 56);
  }

  /** Whether an unterminated line is kept for the next read (or {@link #finish()}). */
  boolean carries() {
    return carried > 0;
  }

  /** Delivers the unterminated last line, if any. */
  void finish() {
    if (carried == 0) return;
    batch.reset(carry);
    batch.add(0, carried, LineBatch.plain(carry, 0, carried));
    carried = 0;
    deliver();
  }

  private void add(byte[] data, int start, int end, boolean plain) {
    while (end - start > MAX_LINE) start = addCut(data, start);
    batch.add(start, end, plain);
    if (batch.count() == MAX_BATCH) {
      deliver();
      batch.reset(data);
    }
  }

  /** Adds the first at most MAX_LINE bytes from {@code start} as a line; where the rest starts. */
  private int addCut(byte[] data, int start) {
    int cut = cutPoint(data, start + MAX_LINE);
    add(data, start, cut, LineBatch.plain(data, start, cut));
    return cut;
  }

  /** The end of a MAX_LINE-byte piece ending at {@code end}, moved back to a UTF-8 character boundary. */
  private static int cutPoint(byte[] data, int end) {
    // Step back over continuation bytes (10xxxxxx) to the lead byte of the last sequence.
    int back = 0;
    while (back < 3 && (data[end - back - 1] & 0xC0) == 0x80) back++;
    int lead = end - back - 1;
    return sequenceLength(data[lead]) > back + 1 ? lead : end;
  }

  private static int sequenceLength(byte lead) {
    int b = lead & 0xFF;
    if (b >= 0xF0) return 4;
    if (b >= 0xE0) return 3;
    if (b >= 0xC0) return 2;
    return 1;
  }

  private void deliver() {
    if (batch.count() > 0) consumer.accept(batch);
  }
}
