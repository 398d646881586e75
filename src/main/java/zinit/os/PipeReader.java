package zinit.os;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.function.Consumer;
import zinit.logs.LineBatch;
import zinit.supervisor.OutputSink;

/** Reads one output pipe on the I/O loop and hands its lines to the sink's consumer. */
final class PipeReader implements IoLoop.Handler {
  private final IoLoop loop;
  private final int fd;
  private final String what;
  private final LineSplitter lines;
  private final OutputSink.AfterRead afterRead;
  private final Consumer<String> log;
  /**
   * The pipe read through java.io (a JNI call), opened again through /proc/self/fd; null when that
   * open failed (no /proc, no fd left), and the pipe is read through libc instead. A fresh zinit's
   * first burst of output costs ~16 % less CPU so (bench/RESULTS.md, 2026-12-01): the FFM read
   * makes the JDK generate its call stub at the first read and gives C1 its invoker chain to
   * compile, where a JNI method has neither. Costs one more fd per pipe while the pipe is open.
   */
  private final FileInputStream in;

  private PipeReader(
      IoLoop loop, int fd, String what, Consumer<LineBatch> consumer, OutputSink.AfterRead afterRead, Consumer<String> log) {
    this.loop = loop;
    this.fd = fd;
    this.what = what;
    this.afterRead = afterRead;
    this.log = log;
    this.in = reopen(fd);
    this.lines =
        new LineSplitter(
            batch -> {
              try {
                consumer.accept(batch);
              } catch (RuntimeException e) {
                log.accept(what + ": output consumer failed: " + e);
              }
            },
            loop.lineBatch());
  }

  /** Hands {@code fd} (a pipe's read end) to the loop, which closes it at EOF. */
  static void watch(
      IoLoop loop, int fd, String what, Consumer<LineBatch> consumer, OutputSink.AfterRead afterRead, Consumer<String> log) {
    loop.add(fd, Flags.EPOLLIN, true, new PipeReader(loop, fd, what, consumer, afterRead, log));
  }

  /** EOF was read: the loop may still report the pipe until its removal is done. Loop thread only. */
  private boolean atEnd;

  @Override
  public void ready(long token, int events) {
    if (atEnd) return;
    // Level-triggered readiness means one read of a blocking pipe cannot block; other pipes get
    // their turn before this one is read again. The buffer has LineSplitter.MAX_LINE bytes in front of what is read, where the
    // splitter puts the previous read's unterminated line.
    long n = in != null ? readJava() : Libc.readNow(fd, loop.readTarget(), IoLoop.SCRATCH_SIZE);
    if (n > 0) {
      lines.feed(loop.heapScratch(), LineSplitter.MAX_LINE, (int) n);
      // A consumer that cannot take more yet: this pipe is not read (its writer blocks when it is
      // full) until the consumer resumes it. Paused here, on the loop thread, so a resume queued
      // from elsewhere always comes after.
      if (!afterRead(token)) loop.pause(token);
      return;
    }
    if (n == -Errno.EINTR || n == -Errno.EAGAIN) return; // try again on next event
    ended(token, n);
  }

  /**
   * EOF ({@code n} 0) or a read error (-errno): the last line out, the fd closed. A method of its
   * own so that the per-read method stays small for C1 (a fresh daemon's first burst waits for it).
   */
  private void ended(long token, long n) {
    if (n < 0) log.accept(what + ": " + new OsException("read(" + fd + ")", (int) -n).getMessage());
    atEnd = true;
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // a read end has nothing to flush
      }
    }
    lines.finish();
    afterRead(token);
    loop.remove(token);
    try {
      afterRead.ended();
    } catch (RuntimeException e) {
      log.accept(what + ": output end failed: " + e);
    }
  }

  /** As {@link Libc#readNow}: bytes read, or 0 at the end; a failure is logged and ends the pipe. */
  private long readJava() {
    try {
      int n = in.read(loop.heapScratch(), LineSplitter.MAX_LINE, IoLoop.SCRATCH_SIZE);
      return n < 0 ? 0 : n;
    } catch (IOException e) {
      log.accept(what + ": reading the pipe: " + e.getMessage());
      return 0;
    }
  }

  private static FileInputStream reopen(int fd) {
    try {
      return new FileInputStream("/proc/self/fd/" + fd);
    } catch (IOException e) {
      return null;
    }
  }

  private boolean afterRead(long token) {
    try {
      return afterRead.afterRead(() -> loop.resume(token));
    } catch (RuntimeException e) {
      log.accept(what + ": output flush failed: " + e);
      return true;
    }
  }

}
