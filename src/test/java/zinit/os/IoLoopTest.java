package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import zinit.supervisor.OutputSink;

class IoLoopTest {
  /** Tasks share one eventfd wake-up while one is pending; none may be left in the queue. */
  @Test
  void everyTaskQueuedFromManyThreadsInBurstsRuns() throws Exception {
    int threads = 4;
    int perThread = 5_000;
    CountDownLatch ran = new CountDownLatch(threads * perThread);
    try (IoLoop loop = new IoLoop("zinit-io-test", m -> {})) {
      List<Thread> producers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        producers.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; i < perThread; i++) {
                        loop.execute(ran::countDown);
                        if (i % 100 == 0) Thread.yield(); // let the loop drain between bursts
                      }
                    }));
      }
      for (Thread p : producers) p.join();
      assertThat(ran.await(30, TimeUnit.SECONDS)).as("tasks left: %d", ran.getCount()).isTrue();
    }
  }

  /** Regression: a task queued after close wrote the wake-up into whatever file got wakefd's number. */
  @Test
  void executeAfterCloseWritesIntoNoFileThatReusedTheWakeFdNumber() {
    IoLoop loop = new IoLoop("zinit-io-test", m -> {});
    loop.close();
    List<int[]> pipes = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) pipes.add(Fds.pipe()); // the lowest free numbers: likely wakefd's
      loop.execute(() -> {});
      int[] readEnds = pipes.stream().mapToInt(p -> p[0]).toArray();
      assertThat(Waits.pollIn(readEnds, 0)).as("pipes with data").isZero();
    } finally {
      for (int[] p : pipes) {
        Fds.close(p[0]);
        Fds.close(p[1]);
      }
    }
  }

  /**
   * A held exit mark waits for {@link PipeReader#unread} to say false (Lifecycle.releaseOnceRead).
   * A late I/O thread: it says true while a quick process's lines, or the end behind them, are
   * still in the pipe, though the process is gone; false once they reached the consumer, and
   * while a writer holds the pipe open with nothing in it.
   */
  @Test
  void aPipeWithLinesOrAnEndNotYetReadIsUnread() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    CountDownLatch late = new CountDownLatch(1);
    int[] pipe = Fds.pipe();
    try (IoLoop loop = new IoLoop("zinit-io-test", m -> {}); Arena arena = Arena.ofConfined()) {
      loop.execute(() -> awaitQuietly(late)); // the I/O thread is busy: it reads nothing yet
      PipeReader reader = PipeReader.watch(loop, pipe[0], "test stdout",
          batch -> { for (int i = 0; i < batch.count(); i++) lines.add(batch.text(i)); },
          OutputSink.AfterRead.endingWith(ended::countDown), m -> {});
      write(arena, pipe[1], "one\ntwo\n");
      CompletableFuture<Boolean> beforeRead = unread(loop, reader);
      late.countDown();
      assertThat(beforeRead.get(10, TimeUnit.SECONDS)).as("lines in the pipe, not read").isTrue();

      awaitLines(lines, 2);
      assertThat(unread(loop, reader).get(10, TimeUnit.SECONDS)).as("read; the writer holds the pipe").isFalse();

      CountDownLatch lateAgain = new CountDownLatch(1);
      loop.execute(() -> awaitQuietly(lateAgain));
      write(arena, pipe[1], "three");
      Fds.close(pipe[1]);
      pipe[1] = -1;
      CompletableFuture<Boolean> endNotRead = unread(loop, reader);
      lateAgain.countDown();
      assertThat(endNotRead.get(10, TimeUnit.SECONDS)).as("a last line and the end, not read").isTrue();
      assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(lines).containsExactly("one", "two", "three");
      assertThat(unread(loop, reader).get(10, TimeUnit.SECONDS)).as("ended and closed").isFalse();
    } finally {
      if (pipe[1] >= 0) Fds.close(pipe[1]);
    }
  }

  /**
   * A held exit mark that finds the pipes empty has the reader deliver the unterminated line it
   * kept (NativeUnit.outputUnread): the writer holds the pipe open, so its end, which delivered
   * it before, may come long after the mark. Lines written afterwards are read as before.
   */
  @Test
  void finishLineDeliversTheKeptUnterminatedLineWhileAWriterHoldsThePipe() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    int[] pipe = Fds.pipe();
    try (IoLoop loop = new IoLoop("zinit-io-test", m -> {}); Arena arena = Arena.ofConfined()) {
      PipeReader reader = PipeReader.watch(loop, pipe[0], "test stdout",
          batch -> { for (int i = 0; i < batch.count(); i++) lines.add(batch.text(i)); },
          OutputSink.AfterRead.endingWith(ended::countDown), m -> {});
      write(arena, pipe[1], "one\nlast");
      awaitLines(lines, 1);
      assertThat(unread(loop, reader).get(10, TimeUnit.SECONDS)).as("read; 'last' kept, unterminated").isFalse();
      assertThat(lines).containsExactly("one");
      CompletableFuture<Void> finished = new CompletableFuture<>();
      loop.execute(() -> {
        reader.finishLine();
        reader.finishLine(); // nothing kept any more: nothing twice
        finished.complete(null);
      });
      finished.get(10, TimeUnit.SECONDS);
      assertThat(lines).containsExactly("one", "last");
      write(arena, pipe[1], "later\n");
      Fds.close(pipe[1]);
      pipe[1] = -1;
      assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(lines).containsExactly("one", "last", "later");
    } finally {
      if (pipe[1] >= 0) Fds.close(pipe[1]);
    }
  }

  private static CompletableFuture<Boolean> unread(IoLoop loop, PipeReader reader) {
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    loop.execute(() -> answer.complete(reader.unread()));
    return answer;
  }

  private static void write(Arena arena, int fd, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    MemorySegment m = arena.allocate(b.length);
    m.copyFrom(MemorySegment.ofArray(b));
    assertThat(Libc.write(fd, m, b.length).asInt()).isEqualTo(b.length);
  }

  private static void awaitLines(List<String> lines, int count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (lines.size() < count && System.nanoTime() < end) Thread.sleep(5);
    assertThat(lines).hasSize(count);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
