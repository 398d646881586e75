package zinit.logs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import zinit.config.LogFile;
import zinit.logs.LineFormat.Stream;

/**
 * One service's log file, with size rotation and write-error accounting.
 *
 * <p>Producers (the I/O thread with the service's output, the supervisor with its marks) only
 * append to an in-memory batch; a writer thread of this file takes the batch (the producers go on
 * with another) and writes it out. Once {@link #LIMIT} bytes wait while it writes, {@link #flush}
 * answers false and the service's pipe is not read until the writer takes them (backpressure: a
 * producer faster than the disk is slowed by its full pipe, never dropped), and zinit's I/O thread
 * never waits for a disk.
 *
 * <p>Rotation: before a line would make the file larger than {@code maxBytes}, {@code
 * name.log.(keep-1)} ... {@code name.log} are renamed one up (each rename atomic, the oldest
 * deleted) and a new file is opened. A line is never split across files.
 *
 * <p>Write errors (disk full, directory gone): the part of a segment that did get written is
 * truncated away, the segment's lines are counted as lost, and once a write succeeds again a marker
 * line with the count comes first. The service never notices.
 */
public final class FileLog implements AutoCloseable {
  /** A batch this large is written at once; a smaller one waits up to GATHER_MILLIS for more. */
  private static final int BATCH = 64 * 1024;
  /** Bytes buffered at most while the writer is busy; beyond, the producer is paused. */
  static final int LIMIT = 2 * BATCH;
  /**
   * How long the writer lets a small batch grow: a flat-out service then costs one wake-up of the
   * writer per batch rather than per read of its pipe, and a line waits at most this long.
   */
  static final long GATHER_MILLIS = 1;
  /** How long closing waits for a writer stuck on a disk that does not answer. */
  static final long CLOSE_WAIT_MILLIS = 5000;
  /** How long the writer thread waits for the next batch before it ends. */
  static final long LINGER_MILLIS = 2000;

  private final Path path;
  private final LogFile settings;
  private final String service;
  private final Consumer<String> problems;
  private final LongSupplier clock;

  // guarded by this
  private Batch filling = new Batch();
  private boolean writing;
  private Batch spare; // the last batch written, to be filled again
  private final List<Runnable> waiting = new ArrayList<>();
  private long projected;
  private boolean markerQueued;
  private long lost;
  private long unreported;
  private long written;
  private String error;
  private String lossReason; // the error that cost the last lost lines
  private boolean closed;
  private Thread writer; // while it lives
  private boolean writerIdle; // the writer waits for lines (a producer wakes it)
  private boolean gathering; // the writer lets a small batch grow for up to GATHER_MILLIS
  private int syncing; // threads in sync(): no gathering

  // the writer's own: one writer runs at a time (writing), and close() waits for it
  private final LogFileWriter file;

  /** Bytes of lines, cut where the file is to be rotated. */
  private static final class Batch {
    final List<Segment> segments = new ArrayList<>(List.of(new Segment()));
    int bytes;

    Segment current() {
      return segments.getLast();
    }

    boolean isEmpty() {
      return bytes == 0 && segments.size() == 1 && !current().rotateAfter;
    }

    /** Empty again, keeping the first segment's array (a writer's batch is refilled, not remade). */
    Batch reset() {
      Segment first = segments.getFirst();
      segments.clear();
      first.length = 0;
      first.lines = 0;
      first.covers = 0;
      first.rotateAfter = false;
      segments.add(first);
      bytes = 0;
      return this;
    }
  }

  private static final class Segment {
    byte[] data = new byte[0];
    int length;
    int lines;
    long covers;
    boolean rotateAfter;

    void add(byte[] bytes, int count) {
      System.arraycopy(bytes, 0, room(count), length, count);
      length += count;
    }

    /** The array, with room for {@code count} more bytes. */
    byte[] room(int count) {
      if (length + count > data.length) {
        data = java.util.Arrays.copyOf(data, Math.max(Math.max(4096, 2 * data.length), length + count));
      }
      return data;
    }
  }

  public FileLog(Path path, LogFile settings, String service, Consumer<String> problems, LongSupplier clock) {
    this.path = Objects.requireNonNull(path, "path");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.service = service;
    this.problems = problems;
    this.clock = clock;
    this.file = new LogFileWriter(path, settings, service, problems, this::setError, clock);
  }

  public Path path() {
    return path;
  }

  public LogFile settings() {
    return settings;
  }

  /** Lines that could not be written since zinit started (disk full, file unwritable). */
  public synchronized long lost() {
    return lost;
  }

  /** Lines written to the file (service lines and marks, not the loss markers). */
  public synchronized long written() {
    return written;
  }

  /** The last write error while it lasts, or null while writes succeed. */
  public synchronized String error() {
    return error;
  }

  /** Adds one entry to the batch; {@link #flush} hands it to the writer. */
  public void write(String unit, Stream stream, String text) {
    write(unit, stream, text, null);
  }

  /** As {@link #write(String, Stream, String)}, with the entry's ring form when already made. */
  synchronized void write(String unit, Stream stream, String text, String ringLineOrNull) {
    if (closed) return;
    long now = clock.getAsLong();
    queueLossMarker(now);
    appendEntry(now, unit, stream, text, ringLineOrNull, 1, 0);
    if (filling.bytes >= BATCH) wakeWriter();
  }

  /** Once writing works again after lines were lost, the line that says how many, first. */
  private void queueLossMarker(long now) {
    if (unreported <= 0 || markerQueued) return;
    markerQueued = true;
    String marker = unreported + " log lines lost (" + (lossReason == null ? "write error" : lossReason) + ")";
    appendEntry(now, service, Stream.ZINIT, marker, null, 0, unreported);
  }

  /**
   * Adds the lines of one read of {@code unit}'s {@code stream}, {@code head} being their ring
   * prefix's bytes ({@code [+] web: }), under one lock. A text line of plain ASCII is copied into
   * the batch from the read's bytes as they are, behind the time and the prefix; any other line
   * (or json) goes through its String as {@link #write(String, Stream, String)} would.
   */
  synchronized void write(String unit, Stream stream, byte[] head, LineBatch lines) {
    if (closed) return;
    long now = clock.getAsLong();
    queueLossMarker(now);
    if (settings.format() == LogFile.Format.TEXT && lines.ascii()) {
      appendTexts(front(now, head), lines);
    } else {
      appendOneByOne(now, unit, stream, head, lines);
    }
    if (filling.bytes >= BATCH) wakeWriter();
  }

  // guarded by this: lines not all plain ASCII, or json: each plain one as text from its bytes, any
  // other through its String. Apart from write(), which C1 compiles sooner without it.
  private void appendOneByOne(long now, String unit, Stream stream, byte[] head, LineBatch lines) {
    boolean text = settings.format() == LogFile.Format.TEXT;
    byte[] data = lines.data();
    byte[] front = text ? front(now, head) : null;
    for (int i = 0; i < lines.count(); i++) {
      int start = lines.start(i);
      int end = lines.end(i);
      if (text && LineBatch.plain(data, start, end)) {
        appendTexts(front, data, start, end);
      } else {
        String line = lines.text(i);
        appendEntry(now, unit, stream, line, text ? LineFormat.ringLine(unit, stream, line) : null, 1, 0);
      }
    }
  }

  // guarded by this: every line of {@code lines} (plain ASCII) as text, behind {@code front}
  private void appendTexts(byte[] front, LineBatch lines) {
    byte[] data = lines.data();
    int n = lines.count();
    for (int i = 0; i < n; ) i = appendTexts(front, data, lines, i, n);
  }

  // guarded by this: line {@code data[start .. end)} as text, behind {@code front}
  private void appendTexts(byte[] front, byte[] data, int start, int end) {
    LineBatch one = single;
    one.reset(data);
    one.add(start, end, true);
    appendTexts(front, data, one, 0, 1);
  }

  private final LineBatch single = new LineBatch(); // guarded by this

  /**
   * Lines {@code from ..} of {@code lines} as text into the current segment, up to the first that
   * would make the file larger than its limit: the index of the next line to add (that one goes
   * into a new segment). One loop over the lines with the segment's array at hand, rather than a
   * {@link #reserve} and a growth check of its own per line: a flat-out service's CPU per line is
   * mostly this loop.
   */
  private int appendTexts(byte[] front, byte[] data, LineBatch lines, int from, int n) {
    int f = front.length;
    // the first line as reserve() sees it: a new segment when it would not fit, its bytes counted
    // below with the others
    int first = f + (lines.end(from) - lines.start(from)) + 1;
    Segment s = reserve(first);
    filling.bytes -= first;
    projected -= first;
    byte[] d = s.room((n - from) * (f + 1) + Math.max(0, lines.end(n - 1) - lines.start(from)));
    int at = s.length;
    long limit = settings.maxBytes();
    long size = projected;
    int i = from;
    for (; i < n; i++) {
      int start = lines.start(i);
      int len = lines.end(i) - start;
      int length = f + len + 1;
      if (size > 0 && size + length > limit) break;
      if (at + length > d.length) {
        s.length = at;
        d = s.room(length);
      }
      System.arraycopy(front, 0, d, at, f);
      System.arraycopy(data, start, d, at + f, len);
      at += length;
      d[at - 1] = '\n';
      size += length;
    }
    filling.bytes += (int) (size - projected);
    projected = size;
    s.length = at;
    s.lines += i - from;
    return i;
  }

  // guarded by this: the time and a space, then the prefix; made once per second and prefix, its
  // milliseconds written in place (see stamp)
  private long frontMillis = Long.MIN_VALUE;
  private long frontSecond = Long.MIN_VALUE;
  private byte[] frontHead;
  private byte[] front;

  // guarded by this
  private byte[] front(long now, byte[] head) {
    if (now == frontMillis && head == frontHead) return front;
    long second = Math.floorDiv(now, 1000);
    byte[] time = stamp(now);
    if (second != frontSecond || head != frontHead) {
      front = java.util.Arrays.copyOf(time, time.length + head.length);
      System.arraycopy(head, 0, front, time.length, head.length);
      frontSecond = second;
      frontHead = head;
    } else {
      System.arraycopy(time, time.length - MILLIS_FROM_END, front, time.length - MILLIS_FROM_END, 3);
    }
    frontMillis = now;
    return front;
  }

  /**
   * Hands what is buffered to the writer. False when the writer is still busy with the previous
   * batch: the caller should then produce no more until {@code resumeOrNull} runs (exactly once).
   */
  public synchronized boolean flush(Runnable resumeOrNull) {
    if (filling.isEmpty()) return true;
    wakeWriter();
    if (filling.bytes < LIMIT) return true;
    if (resumeOrNull != null) waiting.add(resumeOrNull);
    return false;
  }

  /** Waits until everything added so far is written (or has failed). */
  public void sync() throws InterruptedException {
    sync(Long.MAX_VALUE);
  }

  /** As {@link #sync()}, for at most {@code millis}; false when the writer is still busy then. */
  synchronized boolean sync(long millis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(millis, Long.MAX_VALUE / 2_000_000));
    syncing++;
    try {
      while (writing || !filling.isEmpty()) {
        if (!filling.isEmpty()) wakeWriter();
        if (gathering) notifyAll(); // no more gathering: write it now
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) return false;
        wait(left);
      }
      return true;
    } finally {
      syncing--;
    }
  }

  /**
   * Writes out what is queued and closes the file until a line comes again, which opens it anew:
   * the service was forgotten, and may never come back to need the fd. Waits at most {@link
   * #CLOSE_WAIT_MILLIS} for a disk that does not answer (the file then stays open).
   */
  public synchronized void release() {
    try {
      // sync returns holding this lock with nothing queued or being written: the writer thread
      // cannot take the file until the lock is let go, by which time it is closed
      if (!closed && sync(CLOSE_WAIT_MILLIS)) file.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Writes out what is left and closes the file (at exit: nothing buffered is lost), waiting at
   * most {@link #CLOSE_WAIT_MILLIS} for a disk that does not answer.
   */
  @Override
  public void close() {
    boolean done = false;
    try {
      done = sync(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      closed = true;
      notifyAll(); // a lingering writer ends now
      if (!done) {
        problems.accept(service + ": " + path + " did not take the last lines within " + CLOSE_WAIT_MILLIS + " ms; left unwritten");
        return; // the writer still owns the channel
      }
      file.close();
    }
  }

  // guarded by this. A text line goes into the batch as its parts (the time's bytes, made once per
  // millisecond, then the ring line's), without building the whole line as a String first: a
  // flat-out producer's CPU per line is mostly such copies.
  private void appendEntry(long now, String unit, Stream stream, String text, String ringLineOrNull, int lines, long covers) {
    switch (settings.format()) {
      case TEXT -> {
        byte[] ring = (ringLineOrNull != null ? ringLineOrNull : LineFormat.ringLine(unit, stream, text)).getBytes(StandardCharsets.UTF_8);
        byte[] time = stamp(now);
        Segment s = reserve(time.length + ring.length + 1);
        s.add(time, time.length);
        s.add(ring, ring.length);
        s.add(NEWLINE, 1);
        s.lines += lines;
        s.covers += covers;
      }
      case JSON -> {
        byte[] line = (LineFormat.json(now, unit, stream, text) + "\n").getBytes(StandardCharsets.UTF_8);
        Segment s = reserve(line.length);
        s.add(line, line.length);
        s.lines += lines;
        s.covers += covers;
      }
    }
  }

  private static final byte[] NEWLINE = {'\n'};

  // guarded by this: the text form's time and its space ("2026-11-30T21:03:21.123Z "), for the
  // millisecond stampMillis. Formatted once per second; within it only the three digits of the
  // milliseconds change, written in place (a flat-out service has a new millisecond every few
  // reads, and formatting each was a String, its bytes and a dozen JDK methods run interpreted
  // during a fresh daemon's first burst).
  private long stampMillis = Long.MIN_VALUE;
  private long stampSecond = Long.MIN_VALUE;
  private byte[] stamp;
  /** Where the milliseconds' three digits start, counted from the end of the stamp (".123Z "). */
  private static final int MILLIS_FROM_END = 5;

  // guarded by this
  private byte[] stamp(long now) {
    if (now != stampMillis) {
      long second = Math.floorDiv(now, 1000);
      if (second != stampSecond) {
        newStamp(now, second);
      } else {
        int millis = (int) (now - 1000 * second);
        int at = stamp.length - MILLIS_FROM_END;
        stamp[at] = (byte) ('0' + millis / 100);
        stamp[at + 1] = (byte) ('0' + millis / 10 % 10);
        stamp[at + 2] = (byte) ('0' + millis % 10);
      }
      stampMillis = now;
    }
    return stamp;
  }

  // guarded by this: the stamp of a new second (out of stamp(), which C1 compiles sooner without it)
  private void newStamp(long now, long second) {
    byte[] time = LineFormat.time(now).getBytes(StandardCharsets.US_ASCII);
    stamp = java.util.Arrays.copyOf(time, time.length + 1);
    stamp[time.length] = ' ';
    stampSecond = second;
  }

  // guarded by this: the segment that takes the next {@code length} bytes (a new one when they
  // would make the file larger than its limit), those bytes already counted.
  private Segment reserve(int length) {
    if (projected > 0 && projected + length > settings.maxBytes()) {
      filling.current().rotateAfter = true;
      filling.segments.add(new Segment());
      projected = 0;
    }
    filling.bytes += length;
    projected += length;
    return filling.current();
  }

  // guarded by this
  private Batch next() {
    Batch b = spare != null ? spare : new Batch();
    spare = null;
    return b;
  }

  // guarded by this: the writer thread made to take the batch soon (started when there is none)
  private void wakeWriter() {
    if (writer == null) {
      startWriter();
    } else if (writerIdle || (gathering && filling.bytes >= BATCH)) {
      writerIdle = false;
      notifyAll();
    }
  }

  // guarded by this (out of wakeWriter(), which C1 compiles sooner without it)
  private void startWriter() {
    writer = Thread.ofPlatform().daemon().name("zinit-log-" + service).start(this::writerLoop);
  }

  /**
   * The writer thread: takes the batch being filled (the producer goes on with a spare one) and
   * writes it, while there are lines; a small batch first gets up to {@link #GATHER_MILLIS} to
   * grow. It ends once nothing came for {@link #LINGER_MILLIS} (or at close). A thread that waits
   * costs a flat-out service one wake-up per batch, where a thread started per batch cost a start,
   * its scheduling and its end (and C1 compiling all of that while the service printed).
   */
  private void writerLoop() {
    while (true) {
      Batch batch;
      List<Runnable> wake;
      synchronized (this) {
        long idleSince = System.nanoTime();
        while (filling.isEmpty()) {
          long left = LINGER_MILLIS - (System.nanoTime() - idleSince) / 1_000_000; // not TimeUnit: one method less for C1
          if (left <= 0 || closed) {
            writer = null;
            writerIdle = false;
            return;
          }
          writerIdle = true;
          waitQuietly(left);
        }
        writerIdle = false;
        if (filling.bytes < BATCH && syncing == 0 && !closed) {
          gathering = true;
          waitQuietly(GATHER_MILLIS);
          gathering = false;
        }
        batch = filling;
        filling = next();
        writing = true;
        wake = List.copyOf(waiting);
        waiting.clear();
      }
      for (Runnable r : wake) {
        try {
          r.run();
        } catch (RuntimeException e) {
          problems.accept(service + ": resuming output after a log write failed: " + e);
        }
      }
      write(batch);
      synchronized (this) {
        writing = false;
        spare = batch.reset();
        notifyAll(); // sync() waits for this
      }
    }
  }

  // guarded by this
  private void waitQuietly(long millis) {
    try {
      wait(millis);
    } catch (InterruptedException e) {
      // nobody interrupts the writer; what it has is still written
    }
  }

  /** The writer's: the batch's segments into the file, rotating where a segment says so. */
  private void write(Batch batch) {
    file.recheck();
    for (Segment s : batch.segments) {
      boolean ok = s.length == 0 || file.append(s.data, s.length);
      synchronized (this) {
        account(ok, s.lines, s.covers);
      }
      if (s.rotateAfter) file.rotate();
    }
  }

  // guarded by this
  private void account(boolean ok, int lines, long covers) {
    if (covers > 0) markerQueued = false;
    if (ok) {
      written += lines;
      if (covers > 0) {
        unreported -= covers;
        if (unreported == 0) problems.accept(service + ": writing " + path + " again after " + covers + " lost log lines");
      }
      error = null;
    } else {
      if (unreported == 0 && covers == 0) problems.accept(service + ": cannot write " + path + " (" + error + "); counting lost log lines");
      lost += lines;
      unreported += lines;
      if (error != null) lossReason = error;
    }
  }

  private synchronized void setError(String e) {
    error = e;
  }
}
