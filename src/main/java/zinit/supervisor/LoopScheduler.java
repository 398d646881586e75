package zinit.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * The real event loop: one platform thread and one queue of tasks ordered by when they are due (a
 * task to run now is due at once), first come first served among equals, as a one-thread
 * ScheduledThreadPoolExecutor orders them. Idle means parked until the next timer or task, not
 * polling.
 *
 * <p>Written out rather than built on ScheduledThreadPoolExecutor: every stop posts to the loop
 * from two threads and arms and cancels two timers, and a fresh zinit runs that code interpreted.
 * The executor's queue, futures and locks made a hand-off take ~85 us there, this ~30 us
 * (bench/RESULTS.md, 2026-12-01).
 *
 * <p>A caller that would only wait for its task may run it itself when the loop is idle ({@link
 * #executeHere}): the task still runs alone and in its turn, on the caller's thread, and the hand-off
 * to the loop's thread and its wake-up are saved. A stop takes two (the request, the exit).
 */
public final class LoopScheduler implements Scheduler, AutoCloseable {
  private final Thread thread;
  // guarded by this
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long sequence;
  private boolean closed;
  // the thread running a task: the loop's, a caller's (executeHere), or null (guarded by this)
  private Thread runner;
  // a caller's task runs and the loop's thread is to be woken once it is done: it waits for that
  // task, or the task queued a new head (guarded by this)
  private boolean wakeWhenDone;

  public LoopScheduler() {
    thread = Thread.ofPlatform().name("zinit-loop").daemon(true).unstarted(this::run);
    thread.start();
  }

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public void execute(Runnable task) {
    enqueue(new Task(System.nanoTime(), task));
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(System.nanoTime() + nanos(delay), task);
    enqueue(t);
    return () -> {
      t.cancelled = true;
      synchronized (this) {
        queue.remove(t);
      }
    };
  }

  /**
   * Runs {@code task} on the calling thread at once when no task runs and none is due, else
   * queues it as {@link #execute} does. Either way it runs alone and after every task due before
   * it. For callers that hold no lock a task could need and would only wait for it otherwise.
   */
  @Override
  public void executeHere(Runnable task) {
    boolean idle;
    synchronized (this) {
      Task head = queue.peek();
      idle = !closed && runner == null && (head == null || head.due - System.nanoTime() > 0);
      if (idle) runner = Thread.currentThread();
    }
    if (!idle) {
      execute(task); // the task running now wakes the loop's thread when done, if it runs here
      return;
    }
    boolean interrupted = Thread.currentThread().isInterrupted();
    try {
      runGuarded(task);
    } finally {
      // an interrupt the task left is the loop's, not the caller's (a reader's next read would end)
      if (!interrupted) Thread.interrupted();
      boolean wake;
      synchronized (this) {
        runner = null;
        wake = wakeWhenDone;
        wakeWhenDone = false;
      }
      if (wake) LockSupport.unpark(thread);
    }
  }

  /** The delay in nanoseconds, at least 0 and at most ~73 years (so that the due time cannot wrap). */
  private static long nanos(Duration delay) {
    if (delay.isNegative()) return 0;
    return delay.compareTo(LONGEST) > 0 ? LONGEST.toNanos() : delay.toNanos();
  }

  private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE / 4);

  private void enqueue(Task t) {
    boolean first;
    synchronized (this) {
      if (closed) throw new RejectedExecutionException("zinit's loop is closed");
      t.sequence = sequence++;
      queue.add(t);
      first = queue.peek() == t;
      // A task that a task queues is seen when that one is done: on the loop's thread, which looks
      // at the queue again anyway; on a caller's, which wakes the loop's thread then, once (a stop
      // arms two timers: woken at each, the loop's thread would compete for the CPUs with the
      // service that is dying).
      if (first && runner == Thread.currentThread()) {
        if (runner != thread) wakeWhenDone = true;
        first = false;
      }
    }
    // Only a new head can be due before the loop's current wait ends.
    if (first) LockSupport.unpark(thread);
  }

  private void run() {
    for (; ; ) {
      Task next;
      long wait = 0;
      synchronized (this) {
        if (closed) return;
        next = queue.peek();
        if (runner != null) {
          // a caller runs a task of its own (executeHere): wait until it says it is done
          wakeWhenDone = true;
          next = null;
        } else if (next != null) {
          long left = next.due - System.nanoTime();
          if (left <= 0) {
            queue.poll();
            runner = thread;
          } else {
            wait = left;
            next = null;
          }
        }
      }
      if (next == null) {
        // An unpark since the check makes this return at once, so no task is missed. An interrupt
        // (a task that re-asserted one) would make every park return at once: idle means parked.
        Thread.interrupted();
        if (wait > 0) LockSupport.parkNanos(this, wait);
        else LockSupport.park(this);
        continue;
      }
      try {
        if (!next.cancelled) runGuarded(next.task);
      } finally {
        synchronized (this) {
          runner = null;
        }
      }
    }
  }

  // A task that throws must not kill the loop: zinit never dies from one bad event.
  private static void runGuarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      System.err.println("zinit: internal error in supervisor loop: " + e);
      e.printStackTrace();
    }
  }

  /** Drops every queued task and ends the loop's thread; later calls are refused. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
    LockSupport.unpark(thread);
  }

  private static final class Task implements Comparable<Task> {
    final long due;
    final Runnable task;
    long sequence; // set under the loop's lock, before the task is queued
    volatile boolean cancelled;

    Task(long due, Runnable task) {
      this.due = due;
      this.task = task;
    }

    @Override
    public int compareTo(Task o) {
      // nanoTime values compare by their difference (they may wrap)
      long d = due - o.due;
      return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(sequence, o.sequence);
    }
  }
}
