package zinit.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One platform thread in epoll_wait multiplexing every fd the host watches (output pipes,
 * cgroup.events). Registration changes are queued and applied on the loop thread, which an
 * eventfd wakes, so handler lookups and fd closes never race with event dispatch. Handlers run on
 * the loop thread and must not block.
 */
final class IoLoop implements AutoCloseable {
  interface Handler {
    /** {@code token} is this registration's, e.g. to {@link #remove} it at EOF. */
    void ready(long token, int events);

    /** The registration is dropped and its fd, if the loop owns it, closed right after; loop thread. */
    default void closing() {}
  }

  // x86-64 packs struct epoll_event (12 bytes); other architectures align the data to 8.
  private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"));
  private static final long EVENT_SIZE = PACKED ? 12 : 16;
  private static final long DATA_OFFSET = PACKED ? 4 : 8;
  private static final int MAX_EVENTS = 64;
  private static final long WAKE_TOKEN = 0;
  static final int SCRATCH_SIZE = 64 * 1024;
  /**
   * How long the loop lets output gather in the pipes after a read that found a flat-out writer's
   * worth ({@link #gather}): read at once, such a writer's pipe holds a write or two (4-8 KB), and
   * each of its writes wakes the loop again, a wake-up the writer pays for too.
   */
  static final long GATHER_NANOS = 150_000;
  /**
   * An epoll_wait that returned within this found output already waiting: its writer writes faster
   * than the loop reads, the case where gathering pays (a flat-out `seq`, 4 KB every ~17 us, finds
   * 6-9 writes after a gathering wait). A writer whose writes come further apart (every 100 or
   * 250 us) would gather one or two and pay the wait's wake-up on top (measured: more CPU).
   */
  static final long QUICK_NANOS = 25_000;

  private final int epfd;
  private final int wakefd;
  private final Consumer<String> log;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  // True from the first queued task until the loop starts draining: later tasks need no wake-up.
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final AtomicLong tokens = new AtomicLong(WAKE_TOKEN);
  private final Thread thread;
  // Loop thread only.
  private final Map<Long, Registration> handlers = new HashMap<>();
  private final byte[] heapScratch = new byte[LineSplitter.MAX_LINE + SCRATCH_SIZE];
  private final MemorySegment readTarget = MemorySegment.ofArray(heapScratch).asSlice(LineSplitter.MAX_LINE);
  private final zinit.logs.LineBatch lineBatch = new zinit.logs.LineBatch();
  private volatile boolean stopping;
  private boolean draining; // loop thread only
  private boolean gather; // loop thread only: sleep GATHER_NANOS before the next epoll_wait
  private boolean quickWake; // loop thread only: the last epoll_wait returned within QUICK_NANOS
  private final java.util.Set<Long> paused = new java.util.HashSet<>(); // loop thread only
  private boolean wakeClosed; // guarded by this
  // Made once rather than an arena per call: a flat-out service's pipe is paused and resumed dozens
  // of times a burst, and each arena was a dozen JDK methods more for C1 to compile during it.
  private final MemorySegment wakeOne; // guarded by this: the eventfd's 8 bytes
  private final MemorySegment ctlEvent; // loop thread only (and the constructor, before it starts)

  private record Registration(int fd, Handler handler, boolean closeOnRemove) {}

  IoLoop(String name, Consumer<String> log) {
    this.log = log;
    Arena arena = Arena.ofAuto();
    this.wakeOne = arena.allocate(ValueLayout.JAVA_LONG);
    this.wakeOne.set(ValueLayout.JAVA_LONG, 0, 1L);
    this.ctlEvent = arena.allocate(EVENT_SIZE, 8);
    this.epfd = Libc.epoll_create1(Flags.EPOLL_CLOEXEC).asIntOrThrow("epoll_create1");
    this.wakefd = Libc.eventfd(0, Flags.EFD_CLOEXEC | Flags.EFD_NONBLOCK).asIntOrThrow("eventfd");
    ctl(Flags.EPOLL_CTL_ADD, wakefd, Flags.EPOLLIN, WAKE_TOKEN);
    this.thread = Thread.ofPlatform().daemon().name(name).start(this::run);
  }

  /** Watches {@code fd}; returns a token for {@link #remove}. The fd is owned by the loop if {@code close}. */
  long add(int fd, int events, boolean close, Handler handler) {
    long token = tokens.incrementAndGet();
    execute(
        () -> {
          ctl(Flags.EPOLL_CTL_ADD, fd, events, token);
          handlers.put(token, new Registration(fd, handler, close));
        });
    return token;
  }

  /**
   * Stops watching (and closes, if owned) the fd of {@code token}; safe to call twice. On the loop
   * thread (a handler at its pipe's end) at once: a task would cost the thread an eventfd write and
   * read of its own, on every stop.
   */
  void remove(long token) {
    if (onLoopThread()) drop(token);
    else execute(() -> drop(token));
  }

  /** Stops watching {@code token}'s fd for now (loop thread only); {@link #resume} undoes it. */
  void pause(long token) {
    if (!onLoopThread()) throw new IllegalStateException("pause off the I/O thread");
    if (draining) return; // shutting down: what is left in the pipes is read regardless
    Registration reg = handlers.get(token);
    if (reg != null && paused.add(token)) ctl(Flags.EPOLL_CTL_MOD, reg.fd(), 0, token);
  }

  /** Watches a paused fd again (EPOLLIN); from any thread; nothing when it was removed meanwhile. */
  void resume(long token) {
    execute(
        () -> {
          Registration reg = handlers.get(token);
          if (reg != null && paused.remove(token)) ctl(Flags.EPOLL_CTL_MOD, reg.fd(), Flags.EPOLLIN, token);
        });
  }

  /** Runs {@code task} on the loop thread. */
  void execute(Runnable task) {
    tasks.add(task);
    // A spawn queues several tasks in a row; one eventfd write (a native call and a wake-up of
    // the loop thread) covers them all. The loop clears the flag before it drains the queue, so
    // a task added after that sets it again and writes again: none is left waiting.
    if (!wakePending.compareAndSet(false, true)) return;
    // Under the lock that closes wakefd: once the loop has shut down its number may belong to
    // another file (a new pipe), which must never get our 8 bytes. Tasks queued after that never
    // run, as before.
    synchronized (this) {
      if (wakeClosed) return;
      Libc.Ret r = Libc.write(wakefd, wakeOne, 8);
      // EAGAIN: the counter is saturated, so the loop is awake anyway.
      if (r.failed() && r.errno() != Errno.EAGAIN) throw new OsException("write(eventfd)", r.errno());
    }
  }

  /**
   * The read buffer of handlers: {@link #SCRATCH_SIZE} bytes with {@link LineSplitter#MAX_LINE}
   * bytes in front for the splitter, so reads allocate nothing; loop thread only.
   */
  byte[] heapScratch() {
    if (!onLoopThread()) throw new IllegalStateException("scratch buffer off the I/O thread");
    return heapScratch;
  }

  /** {@link #heapScratch()} from {@link LineSplitter#MAX_LINE} on, as a segment to read into. */
  MemorySegment readTarget() {
    if (!onLoopThread()) throw new IllegalStateException("scratch buffer off the I/O thread");
    return readTarget;
  }

  /** The line batch every pipe's splitter fills (one at a time, on the loop thread). */
  zinit.logs.LineBatch lineBatch() {
    return lineBatch;
  }

  /**
   * A handler read a flat-out writer's worth, short of filling its buffer: the loop waits {@link
   * #GATHER_NANOS} before it looks for more, so the next read finds several writes' worth. Loop
   * thread only. Only when the loop's last epoll_wait returned within {@link #QUICK_NANOS}. A read
   * that fills most of the buffer does not ask for it (the writer is then faster than the reading,
   * and waiting would only slow it down).
   */
  void gather() {
    if (quickWake) gather = true;
  }

  boolean onLoopThread() {
    return Thread.currentThread() == thread;
  }

  private void drop(long token) {
    paused.remove(token);
    Registration reg = handlers.remove(token);
    if (reg == null) return;
    Libc.Ret r = Libc.epoll_ctl(epfd, Flags.EPOLL_CTL_DEL, reg.fd(), MemorySegment.NULL);
    if (r.failed()) log.accept(new OsException("epoll_ctl(DEL, " + reg.fd() + ")", r.errno()).getMessage());
    try {
      reg.handler().closing();
    } finally {
      if (reg.closeOnRemove()) Fds.close(reg.fd());
    }
  }

  private void ctl(int op, int fd, int events, long token) {
    MemorySegment ev = ctlEvent;
    putInt(ev, 0, events);
    putLong(ev, DATA_OFFSET, token);
    Libc.Ret r = Libc.epoll_ctl(epfd, op, fd, ev);
    if (r.failed()) throw new OsException("epoll_ctl(" + op + ", " + fd + ")", r.errno());
  }

  private void run() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment events = arena.allocate(EVENT_SIZE * MAX_EVENTS, 8);
      MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
      long eventsAddress = Libc.address(events); // events stays alive and this thread's until the arena closes
      while (!stopping) round(events, eventsAddress, counter);
    } catch (Throwable t) {
      log.accept("I/O loop died: " + t);
      throw t;
    } finally {
      shutdown();
    }
  }

  /**
   * One epoll_wait and the handlers of what it reported. A method of its own so that the JIT
   * compiles it after a few hundred rounds: the loop in {@link #run} is entered once, and a loop
   * runs interpreted until tens of thousands of back-edges (a flat-out service's whole burst).
   */
  private void round(MemorySegment events, long eventsAddress, MemorySegment counter) {
    long waitStarted = System.nanoTime();
    int n = Libc.epollWait(epfd, eventsAddress, MAX_EVENTS, -1);
    quickWake = System.nanoTime() - waitStarted < QUICK_NANOS;
    if (n < 0) {
      if (n == -Errno.EINTR) return; // a signal; wait again
      throw new OsException("epoll_wait", -n);
    }
    for (int i = 0; i < n; i++) {
      long base = i * EVENT_SIZE;
      int mask = intAt(events, base);
      long token = longAt(events, base + DATA_OFFSET);
      if (token == WAKE_TOKEN) {
        // EAGAIN: already drained by an earlier wake in this batch.
        Libc.Ret d = Libc.read(wakefd, counter, 8);
        if (d.failed() && d.errno() != Errno.EAGAIN) throw new OsException("read(eventfd)", d.errno());
        runTasks();
      } else {
        dispatch(token, mask);
      }
    }
    if (gather) {
      gather = false;
      java.util.concurrent.locks.LockSupport.parkNanos(GATHER_NANOS);
    }
  }

  // The struct epoll_event fields, each access in a method of its own that is never inlined
  // (CompileCommand dontinline in zinit-daemon.jvmopts): C1 inlines a MemorySegment access's whole
  // VarHandle path, ~5 KB of machine code per call site, and round() and ctl() each had two. A
  // fresh daemon's first burst of output waited for C1 to compile all of that (the call is a few
  // ns per epoll event).
  private static int intAt(MemorySegment s, long offset) {
    return s.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
  }

  private static long longAt(MemorySegment s, long offset) {
    return s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
  }

  private static void putInt(MemorySegment s, long offset, int value) {
    s.set(ValueLayout.JAVA_INT_UNALIGNED, offset, value);
  }

  private static void putLong(MemorySegment s, long offset, long value) {
    s.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
  }

  private void runTasks() {
    wakePending.set(false);
    for (Runnable task; (task = tasks.poll()) != null; ) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.accept("I/O loop task failed: " + e);
      }
    }
  }

  private void dispatch(long token, int mask) {
    Registration reg = handlers.get(token);
    if (reg == null) return; // removed earlier in this batch
    try {
      reg.handler().ready(token, mask);
    } catch (RuntimeException e) {
      log.accept("I/O handler for fd " + reg.fd() + " failed: " + e);
      drop(token);
    }
  }

  private void shutdown() {
    runTasks();
    drainReady();
    for (Long token : handlers.keySet().toArray(Long[]::new)) drop(token);
    synchronized (this) {
      wakeClosed = true;
      Fds.close(wakefd);
    }
    Fds.close(epfd);
  }

  /**
   * What services wrote just before they were stopped may still sit in their pipes, with the EOF
   * behind it: hand that to the handlers before the fds close, so the last lines reach the log.
   * Bounded, so a writer that never stops cannot hold up the shutdown.
   */
  private void drainReady() {
    draining = true;
    // paused pipes too: their consumers take what is left (a stopped service writes no more)
    for (long token : paused) {
      Registration reg = handlers.get(token);
      if (reg != null) ctl(Flags.EPOLL_CTL_MOD, reg.fd(), Flags.EPOLLIN, token);
    }
    paused.clear();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment events = arena.allocate(EVENT_SIZE * MAX_EVENTS, 8);
      for (int round = 0; round < 1024; round++) {
        Libc.Ret r = Libc.epoll_wait(epfd, events, MAX_EVENTS, 0);
        if (r.failed() || r.asInt() == 0) return;
        boolean onlyWake = true;
        for (int i = 0; i < r.asInt(); i++) {
          long base = i * EVENT_SIZE;
          long token = longAt(events, base + DATA_OFFSET);
          if (token == WAKE_TOKEN) continue;
          onlyWake = false;
          dispatch(token, intAt(events, base));
        }
        runTasks();
        if (onlyWake) return;
      }
    }
  }

  /** Stops the thread after applying queued changes; closes every fd it owns. */
  @Override
  public void close() {
    if (stopping) return;
    stopping = true;
    execute(() -> {});
    if (!onLoopThread()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
