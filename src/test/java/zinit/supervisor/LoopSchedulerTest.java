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

  @Test
  void executeHereOnAnIdleLoopRunsTheTaskOnTheCallersThreadBeforeItReturns() throws Exception {
    try (LoopScheduler loop = new LoopScheduler()) {
      String[] ranOn = new String[1];
      loop.executeHere(() -> ranOn[0] = Thread.currentThread().getName());
      assertThat(ranOn[0]).isEqualTo(Thread.currentThread().getName());
      // and the loop's thread goes on running the tasks that come after
      CountDownLatch after = new CountDownLatch(1);
      loop.execute(after::countDown);
      assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void executeHereWhileATaskRunsQueuesBehindItAndTheTasksBeforeIt() throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    try (LoopScheduler loop = new LoopScheduler()) {
      loop.execute(() -> {
        running.countDown();
        await(release);
        ran.add("running");
      });
      assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
      loop.execute(() -> ran.add("queued"));
      loop.executeHere(() -> {
        ran.add("here");
        threads.add(Thread.currentThread().getName());
      });
      assertThat(ran).isEmpty(); // it returned without running it
      release.countDown();
      loop.execute(done::countDown);
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).containsExactly("running", "queued", "here");
    assertThat(threads).containsExactly("zinit-loop");
  }

  @Test
  void aTaskRunByACallerNeverOverlapsAnotherAndEachCallersTasksKeepTheirOrder() throws Exception {
    int callers = 4;
    int each = 2000;
    java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
    int[] last = new int[callers]; // touched by tasks only: they run one at a time
    java.util.Arrays.fill(last, -1);
    java.util.concurrent.atomic.AtomicInteger outOfOrder = new java.util.concurrent.atomic.AtomicInteger();
    CountDownLatch done = new CountDownLatch(callers * each);
    try (LoopScheduler loop = new LoopScheduler()) {
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        int caller = c;
        threads.add(Thread.ofPlatform().name("caller-" + c).start(() -> {
          for (int i = 0; i < each; i++) {
            int n = i;
            Runnable task = () -> {
              if (inside.incrementAndGet() != 1) overlaps.incrementAndGet();
              if (last[caller] != n - 1) outOfOrder.incrementAndGet();
              last[caller] = n;
              if (n % 7 == 0) Thread.onSpinWait();
              inside.decrementAndGet();
              done.countDown();
            };
            // a mix, as zinit has: callers that run their task when they can, and plain posts
            if (n % 3 == 0) loop.execute(task);
            else loop.executeHere(task);
          }
        }));
      }
      for (Thread t : threads) t.join();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(overlaps.get()).isZero();
    assertThat(outOfOrder.get()).isZero();
  }

  @Test
  void aTimerThatFallsDueWhileACallerRunsATaskRunsRightAfterIt() throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    try (LoopScheduler loop = new LoopScheduler()) {
      loop.schedule(Duration.ofMillis(20), () -> {
        ran.add("timer");
        done.countDown();
      });
      loop.executeHere(() -> {
        sleep(100); // the timer falls due meanwhile; the loop's thread must not run it now
        ran.add("here");
      });
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).containsExactly("here", "timer");
  }

  @Test
  void tasksAndTimersThatACallersTaskQueuesRunOnTheLoopAfterIt() throws Exception {
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(2);
    try (LoopScheduler loop = new LoopScheduler()) {
      sleep(20); // the loop's thread is parked with nothing to do
      loop.executeHere(() -> {
        loop.schedule(Duration.ofMillis(50), () -> {
          ran.add("timer on " + Thread.currentThread().getName());
          done.countDown();
        });
        loop.execute(() -> {
          ran.add("task on " + Thread.currentThread().getName());
          done.countDown();
        });
        sleep(20);
        ran.add("here");
      });
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(ran).containsExactly("here", "task on zinit-loop", "timer on zinit-loop");
  }

  @Test
  void noTaskOrTimerIsLeftWaitingWhateverThreadsQueueThemWhileCallersRunTasks() throws Exception {
    // A lost wake-up leaves the loop's thread parked until its farthest timer (a minute here):
    // every timer below is due within milliseconds, so each must have run long before that.
    int threads = 3;
    int rounds = 300;
    CountDownLatch ran = new CountDownLatch(threads * rounds * 3);
    try (LoopScheduler loop = new LoopScheduler()) {
      loop.schedule(Duration.ofMinutes(1), () -> {});
      List<Thread> callers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        callers.add(Thread.ofPlatform().start(() -> {
          java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
          for (int i = 0; i < rounds; i++) {
            Runnable task = () -> {
              loop.schedule(Duration.ofNanos(random.nextLong(2_000_000)), ran::countDown);
              loop.execute(ran::countDown);
              if (random.nextInt(4) == 0) Thread.onSpinWait();
            };
            if (random.nextBoolean()) loop.executeHere(() -> {
              task.run();
              ran.countDown();
            });
            else loop.execute(() -> {
              task.run();
              ran.countDown();
            });
            if (random.nextInt(8) == 0) sleep(1); // now and then the loop goes idle
          }
        }));
      }
      for (Thread c : callers) c.join();
      assertThat(ran.await(20, TimeUnit.SECONDS)).as("tasks and timers left: %d", ran.getCount()).isTrue();
    }
  }

  @Test
  void anInterruptATaskLeavesIsNotLeftToTheCallerThatRanIt() throws Exception {
    try (LoopScheduler loop = new LoopScheduler()) {
      loop.executeHere(() -> Thread.currentThread().interrupt()); // as code that caught InterruptedException does
      assertThat(Thread.interrupted()).as("the caller's interrupt status").isFalse();
      Thread.currentThread().interrupt(); // the caller's own interrupt stays
      loop.executeHere(() -> {});
      assertThat(Thread.interrupted()).isTrue();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
