package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

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
}
