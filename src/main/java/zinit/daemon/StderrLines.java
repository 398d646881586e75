package zinit.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * zinit's own lines on its stderr, written by a thread of their own, so that a stderr that does
 * not take them (a pipe whose reader stalls, a serial console stopped by XOFF) never holds up the
 * thread that logs: the supervisor loop logs every start and exit. At most {@link #CAPACITY} bytes
 * wait; past that, lines are dropped and counted (each is in the log ring too, `zinit log`), and
 * once stderr takes lines again a line says how many are missing there.
 */
final class StderrLines {
  static final int CAPACITY = 256 * 1024;

  private final OutputStream out;
  private final int capacity;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private int queued; // bytes in the queue and in the writer's hands
  private long dropped;
  private Thread writer; // started with the first line

  StderrLines(OutputStream out, int capacity) {
    this.out = out;
    this.capacity = capacity;
  }

  /** Queues one line (its newline included); never blocks. */
  void write(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      // once a line is dropped, so is every one after it until the note below is queued
      if (dropped > 0 || queued + bytes.length > capacity) {
        dropped++;
        return;
      }
      queue.add(bytes);
      queued += bytes.length;
      if (writer == null) startWriter();
      notifyAll();
    }
  }

  private void startWriter() {
    try {
      writer = Thread.ofPlatform().daemon().name("zinit-stderr").start(this::run);
    } catch (OutOfMemoryError noThread) {
      // no thread to be had: the lines wait (up to the capacity), and the next line tries again
    }
  }

  /** Waits until every queued line is written, at most {@code millis} ms (a stalled stderr). */
  synchronized void flush(long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (queued > 0) {
      long left = end - System.nanoTime();
      if (left <= 0) return;
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void run() {
    while (true) {
      byte[] batch;
      synchronized (this) {
        while (queue.isEmpty()) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        batch = queue.size() == 1 ? queue.poll() : drain();
      }
      try {
        out.write(batch);
      } catch (IOException e) {
        // stderr closed: the lines are in the ring
      }
      synchronized (this) {
        queued -= batch.length;
        if (dropped > 0) {
          // the queue holds only lines from before the first dropped one: the note goes after them
          byte[] note = ("zinit: " + dropped + " of zinit's lines not written here while stderr did not take them;"
              + " they are in the log ring (zinit log zinit)\n").getBytes(StandardCharsets.UTF_8);
          dropped = 0;
          queue.add(note);
          queued += note.length;
        }
        notifyAll();
      }
    }
  }

  /** The queue's lines as one write; the caller holds the lock. */
  private byte[] drain() {
    int size = 0;
    for (byte[] b : queue) size += b.length;
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] b; (b = queue.poll()) != null; at += b.length) System.arraycopy(b, 0, all, at, b.length);
    return all;
  }
}
