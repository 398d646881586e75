package zinit.supervisor;

import java.util.ArrayList;
import java.util.List;
import zinit.logs.LineBatch;

/**
 * One instance's output, held back until its start mark is written, so that in the log the
 * "started, pid N" line always comes before what that instance printed. The pid is known only
 * once the spawn returns, and by then the I/O thread may already have read the first lines.
 * Thread-safe: lines come on the I/O thread, the mark on the spawner's.
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
