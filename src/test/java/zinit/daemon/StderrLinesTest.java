package zinit.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StderrLinesTest {
  /** A stderr that takes nothing until it is let go, like a pipe whose reader stalls. */
  private static final class Stalled extends OutputStream {
    final CountDownLatch go = new CountDownLatch(1);
    final ByteArrayOutputStream taken = new ByteArrayOutputStream();

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        go.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (taken) {
        taken.write(b, off, len);
      }
    }

    String text() {
      synchronized (taken) {
        return taken.toString(StandardCharsets.UTF_8);
      }
    }
  }

  @Test
  void aStalledStderrNeverBlocksTheWriterAndTheGapIsNamedWhereItIs() throws Exception {
    Stalled err = new Stalled();
    StderrLines lines = new StderrLines(err, 100);
    long start = System.nanoTime();
    for (int i = 0; i < 1000; i++) lines.write("line " + i + "\n");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    err.go.countDown();
    lines.flush(10_000);
    lines.write("after\n");
    lines.flush(10_000);
    String text = err.text();
    // the first line went to the writer at once; what fit in 100 bytes waited; the rest was counted
    assertThat(text).startsWith("line 0\n");
    int note = text.indexOf("zinit: ");
    assertThat(note).isPositive();
    String before = text.substring(0, note);
    int kept = before.split("\n").length;
    assertThat(text.substring(note)).startsWith("zinit: " + (1000 - kept) + " of zinit's lines not written here");
    assertThat(text).endsWith("(zinit log zinit)\nafter\n");
  }
}
