package zinit.supervisor;

import zinit.config.ServiceConfig;
import zinit.logs.LineBatch;

/** Where service output and zinit's own messages go (the log ring, in the daemon). */
public interface LogSink {
  /** A line of output of a unit ("redis" or "redis/test"). Called on the I/O thread: quick. */
  void line(String unit, boolean stderr, String text);

  /** The lines of one read of a unit's pipe, in order; the batch is valid only during the call. */
  default void lines(String unit, boolean stderr, LineBatch batch) {
    for (int i = 0; i < batch.count(); i++) line(unit, stderr, batch.text(i));
  }

  /** zinit's own message about a service, shown as coming from "zinit". */
  void zinit(String message);

  /**
   * zinit's mark of a start or an exit of {@code config}'s service: a zinit message {@code "name:
   * text"}, and a line in the service's own log file when it has one. Thread-safe.
   */
  default void mark(ServiceConfig config, String text) {
    zinit(config.name() + ": " + text);
  }

  /**
   * {@code name} was forgotten: what its output held open (a log file) may be let go. Called off
   * the loop; may wait briefly for a disk.
   */
  default void forgotten(String name) {}

  /**
   * Where the output of {@code config}'s service goes when it is read by zinit ({@code log: ring}
   * or {@code file}): by default {@link #line}; the daemon adds the service's file. Lines come on
   * the I/O thread; {@code flush} after each read of a pipe, so one write covers a pipe's worth.
   */
  default Output output(ServiceConfig config) {
    return new Output() {
      @Override
      public void line(String unit, boolean stderr, String text) {
        LogSink.this.line(unit, stderr, text);
      }

      @Override
      public void lines(String unit, boolean stderr, LineBatch batch) {
        LogSink.this.lines(unit, stderr, batch);
      }

      @Override
      public boolean flush(Runnable resume) {
        return true;
      }
    };
  }

  /** A service's output destination with a flush point. */
  interface Output {
    void line(String unit, boolean stderr, String text);

    /** As {@link LogSink#lines}. */
    default void lines(String unit, boolean stderr, LineBatch batch) {
      for (int i = 0; i < batch.count(); i++) line(unit, stderr, batch.text(i));
    }

    /**
     * After the lines of one read of a pipe. False when the destination cannot take more yet:
     * the pipe is then not read until it runs {@code resume} (see {@link OutputSink.AfterRead}).
     */
    boolean flush(Runnable resume);

    /** The pipe of one stream (stderr or not) has ended: its last lines and flush came before. */
    default void ended(boolean stderr) {}
  }
}
