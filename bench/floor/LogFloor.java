import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The floor of file logging on this JVM: the least a Java program does to put a service's stdout
 * into a log file in zinit's `log: file` text form ({@code 2026-11-30T21:03:21.123Z [+] name: line}).
 * It spawns the command through the JDK's ProcessBuilder (stdout and stderr on one pipe), then on
 * its main thread alone: a blocking read of up to 64 KiB; the lines found eight bytes a step (a long
 * read through a byte-array VarHandle, its newline bytes found with the zero-byte bit trick: C1's
 * code for a byte-at-a-time loop was 55% of the thread's CPU, and a second burst cost 25-38 rather
 * than 15-22 ms per 100 000 lines); each line copied behind a prefix whose date and time are remade only when
 * the second changes (the milliseconds, three digits, once per read); one blocking write per read
 * (more only when the output buffer fills). No ring, no rotation, no writer thread, no String, no
 * FFM; backpressure is the blocking write itself. A line longer than the read buffer is written in
 * 64 KiB pieces, a last line without a newline once the pipe ends. After the end of the pipe it
 * stays up (the benchmark reads its CPU after the service exits) until SIGTERM.
 *
 * <p>Usage: {@code java @src/main/dist/zinit.jvmopts -cp CLASSES LogFloor LOGFILE NAME ARGV...}
 */
public final class LogFloor {
  private static final int READ = 64 * 1024;
  private static final int OUT = 256 * 1024;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;

  private static final byte[] in = new byte[READ];
  private static final byte[] out = new byte[OUT];
  private static byte[] prefix; // "YYYY-MM-DDTHH:MM:SS.mmmZ [+] name: "
  private static long second = Long.MIN_VALUE;
  private static int used; // bytes waiting in out
  private static FileOutputStream log;

  public static void main(String[] args) throws Exception {
    log = new FileOutputStream(args[0], true);
    byte[] tail = (" [+] " + args[1] + ": ").getBytes(StandardCharsets.UTF_8);
    prefix = new byte[24 + tail.length];
    System.arraycopy(tail, 0, prefix, 24, tail.length);
    Process p = new ProcessBuilder(Arrays.copyOfRange(args, 2, args.length))
        .redirectInput(ProcessBuilder.Redirect.INHERIT)
        .redirectErrorStream(true)
        .start();
    pump(p.getInputStream());
    p.waitFor();
    Thread.sleep(Long.MAX_VALUE);
  }

  /** Reads until the end of the pipe; every complete line read is in the file before the next read. */
  private static void pump(InputStream pipe) throws IOException {
    int have = 0; // bytes in `in`: a partial line from the last read, then this read's
    while (true) {
      int n = pipe.read(in, have, READ - have);
      if (n < 0) break;
      stamp(System.currentTimeMillis());
      int end = have + n;
      int start = 0;
      int i = have;
      while (i + 8 <= end) { // eight bytes a step: a newline byte is a zero byte of w
        long w = (long) LONGS.get(in, i) ^ NEWLINES;
        long z = (w - ONES) & ~w & HIGHS; // lowest set bit = first zero byte (exact)
        if (z == 0) {
          i += 8;
        } else {
          i += (Long.numberOfTrailingZeros(z) >>> 3) + 1;
          line(start, i);
          start = i;
        }
      }
      for (; i < end; i++) {
        if (in[i] == '\n') {
          line(start, i + 1);
          start = i + 1;
        }
      }
      if (start == 0 && end == READ) { // a line longer than the buffer: written in pieces
        line(0, READ);
        start = READ;
        out[used++] = '\n';
      }
      flush();
      have = end - start;
      if (have > 0) System.arraycopy(in, start, in, 0, have);
    }
    if (have > 0) {
      stamp(System.currentTimeMillis());
      line(0, have);
      out[used++] = '\n';
      flush();
    }
  }

  /** Copies prefix + in[from, to) into out, writing out first when it has no room. */
  private static void line(int from, int to) throws IOException {
    int len = to - from;
    if (used + prefix.length + len + 1 > OUT) flush();
    System.arraycopy(prefix, 0, out, used, prefix.length);
    used += prefix.length;
    System.arraycopy(in, from, out, used, len);
    used += len;
  }

  private static void flush() throws IOException {
    if (used > 0) log.write(out, 0, used);
    used = 0;
  }

  /** The prefix's time: date and time of day remade only when the second changed. */
  private static void stamp(long millis) {
    long s = Math.floorDiv(millis, 1000);
    int ms = (int) Math.floorMod(millis, 1000);
    if (s != second) {
      second = s;
      long days = Math.floorDiv(s, 86400);
      int secs = (int) Math.floorMod(s, 86400);
      // civil date from days since 1970-01-01 (proleptic Gregorian; eras of 400 years)
      long z = days + 719468;
      long era = Math.floorDiv(z, 146097);
      int doe = (int) (z - era * 146097);
      int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
      int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
      int mp = (5 * doy + 2) / 153;
      int d = doy - (153 * mp + 2) / 5 + 1;
      int m = mp < 10 ? mp + 3 : mp - 9;
      long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
      digits(0, 4, y);
      prefix[4] = '-';
      digits(5, 2, m);
      prefix[7] = '-';
      digits(8, 2, d);
      prefix[10] = 'T';
      digits(11, 2, secs / 3600);
      prefix[13] = ':';
      digits(14, 2, secs / 60 % 60);
      prefix[16] = ':';
      digits(17, 2, secs % 60);
      prefix[19] = '.';
      prefix[23] = 'Z';
    }
    digits(20, 3, ms);
  }

  private static void digits(int at, int width, long v) {
    for (int i = at + width - 1; i >= at; i--) {
      prefix[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
  }
}
