package zinit.supervisor;

import java.util.function.Consumer;
import zinit.logs.LineBatch;

/** Where one output stream (stdout or stderr) of a spawned process goes. */
public sealed interface OutputSink {
  /** /dev/null. */
  record Discard() implements OutputSink {}

  /** zinit's own fd of the same number. */
  record Inherit() implements OutputSink {}

  /**
   * A pipe read by zinit; each complete line (without its newline, cut to at most {@code maxLine}
   * bytes) is handed to {@code consumer} on zinit's I/O thread, so the consumer must be quick and
   * must not block. A final unterminated line is delivered at EOF. {@code afterRead} runs after
   * the lines of each read (and after the last line at EOF), so a consumer can batch its writes.
   */
  record Lines(Consumer<String> consumer, AfterRead afterRead) implements OutputSink {
    public Lines(Consumer<String> consumer) {
      this(consumer, resume -> true);
    }
  }

  /**
   * As {@link Lines}, the lines of each read as one batch of bytes (the log path: no String per
   * line). The batch is valid only during the call.
   */
  record LineBatches(Consumer<LineBatch> consumer, AfterRead afterRead) implements OutputSink {}

  /** What a consumer says after the lines of one read. */
  interface AfterRead {
    /**
     * True to go on reading the pipe; false when the consumer cannot take more yet: the pipe is
     * then not read (the writer blocks on it: backpressure) until the consumer runs {@code
     * resume}, from any thread, exactly once.
     */
    boolean afterRead(Runnable resume);

    /** The pipe has ended (EOF): its last lines and their {@link #afterRead} came before. */
    default void ended() {}

    /** Always reads on; runs {@code atEnd} when the pipe ends. */
    static AfterRead endingWith(Runnable atEnd) {
      return new AfterRead() {
        @Override
        public boolean afterRead(Runnable resume) {
          return true;
        }

        @Override
        public void ended() {
          atEnd.run();
        }
      };
    }
  }
}
