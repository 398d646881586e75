package zinit.supervisor;

import java.util.ArrayList;
import java.util.List;
import zinit.logs.LineBatch;

/**
 * One instance's output between its marks. Held back until its start mark is written, so that in
 * the log the "started, pid N" line always comes before what that instance printed: the pid is
 * known only once the spawn returns, and by then the I/O thread may already have read the first
 * lines. And its exit mark held back until both its pipes have ended ({@link #exited}), so that
 * the "exited" line comes after the last lines it printed, which the I/O thread may read after the
 * reaper reported the exit. Thread-safe: lines and ends come on the I/O thread, the start mark on
 * the spawner's, the exit mark on the loop.
 */
final class StartMarked implements LogSink.Output {
  /** Lines held at most; a spawn that takes longer than its program needs to print more is rare. */
  static final int MAX_HELD = 10_000;

  private record Held(String unit, boolean stderr, String text) {}

  private final LogSink.Output target;
  // guarded by this; null once released
  private List<Held> held = new ArrayList<>();
  // set once every held line went to the target: from then on lines pass without this lock (the
  // I/O thread took it twice per read of a flat-out service)
  private volatile boolean released;
  // guarded by this: pipes (stdout, stderr) not yet ended, and the exit mark waiting for them
  private int open = 2;
  private Runnable exitMark;

  StartMarked(LogSink.Output target) {
    this.target = target;
  }

  @Override
  public void line(String unit, boolean stderr, String text) {
    if (!released) {
      synchronized (this) {
        if (held != null && held.size() < MAX_HELD) {
          held.add(new Held(unit, stderr, text));
          return;
        }
        release();
      }
    }
    target.line(unit, stderr, text);
  }

  @Override
  public void lines(String unit, boolean stderr, LineBatch batch) {
    if (!released) {
      synchronized (this) {
        if (held != null && held.size() + batch.count() <= MAX_HELD) {
          for (int i = 0; i < batch.count(); i++) held.add(new Held(unit, stderr, batch.text(i)));
          return;
        }
        release();
      }
    }
    target.lines(unit, stderr, batch);
  }

  @Override
  public boolean flush(Runnable resume) {
    if (!released) {
      synchronized (this) {
        if (held != null) return true;
      }
    }
    return target.flush(resume);
  }

  @Override
  public synchronized void ended(boolean stderr) {
    if (--open == 0) releaseExit();
  }

  /**
   * The instance's exit mark: written now if both its pipes have ended (true), else held until
   * they have or {@link #releaseExit} runs, whichever comes first (false).
   */
  synchronized boolean exited(Runnable mark) {
    if (open <= 0) {
      mark.run();
      return true;
    }
    exitMark = mark;
    return false;
  }

  /**
   * Writes the held exit mark now, if it is still held: a process outside the unit may keep a pipe
   * open for as long as it likes, and the next start's mark must come after it.
   */
  synchronized void releaseExit() {
    Runnable mark = exitMark;
    exitMark = null;
    if (mark != null) mark.run();
  }

  /** Writes the mark, then every held line, in order; later lines go straight through. */
  synchronized void started(Runnable mark) {
    mark.run();
    release();
    // the pipes were read on while lines were held: nothing to resume, whatever this answers
    target.flush(() -> {});
  }

  // guarded by this
  private void release() {
    if (held == null) return;
    List<Held> lines = held;
    held = null;
    for (Held h : lines) target.line(h.unit(), h.stderr(), h.text());
    released = true;
  }
}
