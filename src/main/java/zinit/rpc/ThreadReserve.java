package zinit.rpc;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.SynchronousQueue;
import java.util.function.Consumer;

/**
 * Platform threads started with the socket, before any service runs, that run a connection's
 * reader or writer when no new thread can be made (a service took every process slot zinit
 * shares with it: RLIMIT_NPROC, a pids limit). Virtual threads are no way out then: the JDK ends
 * idle carrier threads after 30 s and cannot make new ones, so a virtual thread would never run.
 * A thread is free again once its task returns; idle, the threads wait without waking.
 */
final class ThreadReserve {
  private final ConcurrentLinkedQueue<Worker> idle = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile Consumer<String> log = line -> {};
  private volatile boolean closed;

  /** Starts {@code size} threads now, as many as the system gives. */
  ThreadReserve(int size) {
    for (int i = 0; i < size; i++) {
      try {
        idle.add(new Worker("zinit-rpc-reserve-" + i));
      } catch (OutOfMemoryError noThread) {
        return; // zinit still boots, with a smaller reserve
      }
    }
  }

  void log(Consumer<String> to) {
    log = to;
  }

  /** Runs {@code task} on an idle reserved thread; false when none is idle. */
  boolean run(Runnable task) {
    Worker w = closed ? null : idle.poll();
    if (w == null) return false;
    w.give(task);
    return true;
  }

  /** Ends the idle threads, and the busy ones once their tasks return. */
  void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
  }

  private final class Worker {
    private final SynchronousQueue<Runnable> next = new SynchronousQueue<>();

    Worker(String name) {
      threads.add(Thread.ofPlatform().daemon().name(name).start(this::serve));
    }

    private void serve() {
      while (!closed) {
        Runnable task;
        try {
          task = next.take();
        } catch (InterruptedException e) {
          continue; // closed, or a task's interrupt left over: the loop's condition decides
        }
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          log.accept("rpc: a connection's thread failed: " + e);
        }
        Thread.interrupted(); // a task's interrupt is not the reserve's
        idle.add(this);
      }
    }

    void give(Runnable task) {
      // the worker is in take() or about to be: it is idle only once its last task returned
      boolean interrupted = false;
      while (true) {
        try {
          next.put(task);
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the hand-off must still happen
        }
      }
      if (interrupted) Thread.currentThread().interrupt();
    }
  }
}
