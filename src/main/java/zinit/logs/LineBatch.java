package zinit.logs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a service's output as the bytes one read of its pipe brought: line {@code i} is {@code
 * data()[start(i) .. end(i))}, without its newline. Its producer reuses it (and the array) for the
 * next read, so a consumer copies what it keeps before it returns. Lines are whole or already cut
 * to the producer's maximum; a line's bytes may be any bytes, {@link #text} decodes them.
 */
public final class LineBatch {
  private byte[] data = new byte[0];
  private int[] bounds = new int[2 * 64];
  private int count;
  private boolean ascii = true;

  /** Empty, for lines of {@code data}. */
  public void reset(byte[] data) {
    this.data = data;
    count = 0;
    ascii = true;
  }

  /** One more line, {@code data[start .. end)}; {@code plain}: every byte of it is below 0x80. */
  public void add(int start, int end, boolean plain) {
    if (2 * count + 2 > bounds.length) bounds = Arrays.copyOf(bounds, 2 * bounds.length);
    bounds[2 * count] = start;
    bounds[2 * count + 1] = end;
    count++;
    ascii &= plain;
  }

  public byte[] data() {
    return data;
  }

  public int count() {
    return count;
  }

  public int start(int i) {
    return bounds[2 * i];
  }

  public int end(int i) {
    return bounds[2 * i + 1];
  }

  /** True when every line is plain ASCII (then its bytes read the same in any ASCII-based charset). */
  public boolean ascii() {
    return ascii;
  }

  /** Line {@code i} decoded as UTF-8, each invalid sequence replaced by U+FFFD. */
  public String text(int i) {
    int s = start(i);
    // ISO-8859-1 reads ASCII as UTF-8 does, as a plain copy where UTF-8 decoding scans the bytes
    // again (without the scan intrinsic under C1, zinit's compiler).
    return new String(data, s, end(i) - s, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
  }

  /** True when {@code data[start .. end)} has no byte of 0x80 or above. */
  public static boolean plain(byte[] data, int start, int end) {
    int high = 0;
    for (int i = start; i < end; i++) high |= data[i];
    return high >= 0;
  }
}
