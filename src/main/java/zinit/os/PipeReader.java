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
   * The pipe's own fd read through java.io (a JNI call, {@link BorrowedFd}); null when java.io is
   * not open to zinit, and the pipe is read through libc instead. Never closed: the loop closes the
   * fd, after {@link #closing} revoked this.
   */
  private final FileInputStream in;
  /** A read of this much (a full stdio buffer) or more is a flat-out writer's: {@link IoLoop#gather}. */
  private static final int GATHER_FROM = 4096;

  private PipeReader(
      IoLoop loop, int fd, String what, Consumer<LineBatch> consumer, OutputSink.AfterRead afterRead, Consumer<String> log) {
    this.loop = loop;
    this.fd = fd;
    this.what = what;
    this.afterRead = afterRead;
    this.log = log;
    this.in = BorrowedFd.stream(fd);
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
  static PipeReader watch(
      IoLoop loop, int fd, String what, Consumer<LineBatch> consumer, OutputSink.AfterRead afterRead, Consumer<String> log) {
    PipeReader reader = new PipeReader(loop, fd, what, consumer, afterRead, log);
    reader.token = loop.add(fd, Flags.EPOLLIN, true, reader);
    return reader;
  }

  /** The pipe's registration ({@link #finishLine}). */
  private volatile long token;
  /** EOF was read: the loop may still report the pipe until its removal is done. Loop thread only. */
  private boolean atEnd;
  /** The loop dropped the pipe and closed its fd (at EOF, or after a handler failed). Loop thread only. */
  private boolean closed;

  /**
   * Whether the pipe holds what this reader has not read yet: data, or its end. Loop thread only,
   * so between reads: false means every line written to it so far has reached the consumer. A
   * pipe not yet registered, or paused, is looked at all the same (its fd is open until the loop
   * closes it).
   */
  boolean unread() {
    if (!loop.onLoopThread()) throw new IllegalStateException("unread off the I/O thread");
    return !atEnd && !closed && Waits.pollIn(new int[] {fd}, 0) > 0;
  }

  /**
   * Delivers the unterminated line kept from the last read, now, as a line of its own. Loop thread
   * only, once {@link #unread} found every pipe of a process that is gone empty: those bytes are
   * its last output, which its exit mark must follow; kept until the pipe's end, they came after
   * the mark whenever a process outside the unit held the pipe open (`sleep 60 & printf last`).
   */
  void finishLine() {
    if (!loop.onLoopThread()) throw new IllegalStateException("finishLine off the I/O thread");
    if (atEnd || closed || !lines.carries()) return;
    lines.finish();
    if (!afterRead(token)) loop.pause(token);
  }

  @Override
  public void ready(long token, int events) {
    if (atEnd) return;
    // Level-triggered readiness means one read of a blocking pipe cannot block (so the libc read
    // may be a critical call, straight into the heap buffer); other pipes get their turn before
    // this one is read again. The buffer has LineSplitter.MAX_LINE bytes in front of what is read,
    // where the splitter puts the previous read's unterminated line.
    long n = in != null ? readJava() : Libc.readNow(fd, loop.readTarget(), IoLoop.SCRATCH_SIZE);
    if (n > 0) {
      if (n >= GATHER_FROM && n < IoLoop.SCRATCH_SIZE / 2) loop.gather();
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

  /** The loop is about to close the fd: the stream reads nothing more (its number may be reused). */
  @Override
  public void closing() {
    closed = true;
    if (in != null) BorrowedFd.revoke(in);
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
