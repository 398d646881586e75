package zinit.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

  private PipeReader(
      IoLoop loop, int fd, String what, Consumer<LineBatch> consumer, OutputSink.AfterRead afterRead, Consumer<String> log) {
    this.loop = loop;
    this.fd = fd;
    this.what = what;
    this.afterRead = afterRead;
    this.log = log;
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

  @Override
  public void ready(long token, int events) {
    // Level-triggered readiness means one read of a blocking pipe cannot block; other pipes get
    // their turn before this one is read again.
    MemorySegment buf = loop.scratch();
    Libc.Ret r = Libc.read(fd, buf, buf.byteSize());
    if (r.failed()) {
      if (r.errno() == Errno.EINTR || r.errno() == Errno.EAGAIN) return; // try again on next event
      log.accept(what + ": " + new OsException("read(" + fd + ")", r.errno()).getMessage());
      lines.finish();
      afterRead(token);
      loop.remove(token);
      return;
    }
    int n = r.asInt();
    if (n == 0) {
      lines.finish();
      afterRead(token);
      loop.remove(token);
      return;
    }
    // after LineSplitter.MAX_LINE bytes, where the splitter puts the previous read's unterminated line
    byte[] bytes = loop.heapScratch();
    MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, bytes, LineSplitter.MAX_LINE, n);
    lines.feed(bytes, LineSplitter.MAX_LINE, n);
    // A consumer that cannot take more yet: this pipe is not read (its writer blocks when it is
    // full) until the consumer resumes it. Paused here, on the loop thread, so a resume queued
    // from elsewhere always comes after.
    if (!afterRead(token)) loop.pause(token);
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
