package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real loop: one thread, tasks in submission order, timers when due and never before. */
class LoopSchedulerTest {
  @Test
  void tasksRunOneAtATimeOnOneThreadInTheOrderTheyCame() throws Exception {
    List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    try (LoopScheduler loop = new LoopScheduler()) {
      loop.execute(() -> sleep(20)); // the rest queue up behind it
      for (int i = 0; i < 200; i++) {
        int n = i;
        loop.execute(() -> {
          ran.add(n);
          threads.add(Thread.currentThread().getName());
        });
      }
      loop.execute(done::countDown);
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).hasSize(200).isSorted();
    assertThat(threads).containsOnly("zinit-loop");
  }

  @Test
  void aTimerRunsWhenDueNeverBeforeAndInDueOrder() throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(2);
    long start = System.nanoTime();
    long[] at = new long[2];
    try (LoopScheduler loop = new LoopScheduler()) {
      // "now" first, and the timers far apart: on a loaded machine this thread can pause tens of
      // ms between two calls, and a 30 ms timer then falls due before a task submitted after it
      // (which must then run first) or after a 60 ms timer scheduled before it
      loop.execute(() -> ran.add("now"));
      loop.schedule(Duration.ofMillis(500), () -> {
        at[1] = System.nanoTime() - start;
        ran.add("500ms");
        done.countDown();
      });
      loop.schedule(Duration.ofMillis(30), () -> {
        at[0] = System.nanoTime() - start;
        ran.add("30ms");
        done.countDown();
      });
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).containsExactly("now", "30ms", "500ms");
    assertThat(at[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
    assertThat(at[1]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
  }

  @Test
  void aTimerThatFellDueRunsBeforeATaskSubmittedAfterIt() throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    try (LoopScheduler loop = new LoopScheduler()) {
      CountDownLatch blocked = new CountDownLatch(1);
      loop.execute(() -> {
        blocked.countDown();
        sleep(30); // the timer falls due meanwhile
      });
      assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
      loop.schedule(Duration.ofMillis(1), () -> ran.add("timer"));
      sleep(10);
      loop.execute(() -> ran.add("task"));
      loop.execute(done::countDown);
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).containsExactly("timer", "task");
  }

  @Test
  void aCancelledTimerNeverRuns() throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    try (LoopScheduler loop = new LoopScheduler()) {
      Scheduler.Cancellable early = loop.schedule(Duration.ofMillis(20), () -> ran.add("cancelled"));
      loop.schedule(Duration.ofMillis(40), () -> {
        ran.add("kept");
        done.countDown();
      });
      early.cancel();
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).containsExactly("kept");
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheLoop() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    try (LoopScheduler loop = new LoopScheduler()) {
      loop.execute(() -> {
        throw new IllegalStateException("a bug in one task (expected by this test)");
      });
      loop.execute(done::countDown);
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aTaskThatLeavesItsThreadInterruptedDoesNotKeepTheLoopAwake() throws Exception {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long[] tid = new long[1];
    CountDownLatch ran = new CountDownLatch(1);
    try (LoopScheduler loop = new LoopScheduler()) {
      loop.execute(() -> {
        tid[0] = Thread.currentThread().threadId();
        Thread.currentThread().interrupt(); // as code that caught InterruptedException does
        ran.countDown();
      });
      assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
      sleep(50);
      long before = threads.getThreadCpuTime(tid[0]);
      sleep(500);
      long idle = threads.getThreadCpuTime(tid[0]) - before;
      // Parked, it uses next to no CPU; spinning on a park that returns at once would use ~500 ms.
      assertThat(idle).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
      CountDownLatch after = new CountDownLatch(1);
      loop.execute(after::countDown);
      assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aClosedLoopRefusesTasksAndItsThreadEnds() throws Exception {
    LoopScheduler loop = new LoopScheduler();
    Thread[] thread = new Thread[1];
    CountDownLatch seen = new CountDownLatch(1);
    loop.execute(() -> {
      thread[0] = Thread.currentThread();
      seen.countDown();
    });
    assertThat(seen.await(5, TimeUnit.SECONDS)).isTrue();
    loop.close();
    thread[0].join(5000);
    assertThat(thread[0].isAlive()).isFalse();
    assertThatThrownBy(() -> loop.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> loop.schedule(Duration.ofSeconds(1), () -> {}))
        .isInstanceOf(RejectedExecutionException.class);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
