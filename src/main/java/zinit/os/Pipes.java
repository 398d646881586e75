package zinit.os;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import zinit.logs.LineBatch;
import zinit.supervisor.OutputSink;
import zinit.supervisor.SpawnSpec;

/** The output pipes of one spawn: created before it, child ends closed after it, read ends watched. */
final class Pipes {
  private final int[] read = {-1, -1, -1};
  private final int[] write = {-1, -1, -1};
  private final List<PipeReader> readers = new ArrayList<>(2);

  /** The fd the child's {@code fdNum} (1 or 2) should get, per {@link Spawner}'s convention. */
  int target(OutputSink sink, int fdNum) {
    return switch (sink) {
      case OutputSink.Discard d -> Spawner.DEV_NULL;
      case OutputSink.Inherit i -> Spawner.INHERIT;
      case OutputSink.Lines l -> pipe(fdNum);
      case OutputSink.LineBatches l -> pipe(fdNum);
    };
  }

  private int pipe(int fdNum) {
    int[] p = Fds.pipe();
    read[fdNum] = p[0];
    write[fdNum] = p[1];
    return p[1];
  }

  void closeChildEnds() {
    for (int i = 1; i <= 2; i++) {
      if (write[i] >= 0) Fds.close(write[i]);
      write[i] = -1;
    }
  }

  /** Hands the read ends to the loop, which owns them from now on. */
  void watch(IoLoop loop, SpawnSpec spec, Consumer<String> log) {
    watch(loop, 1, spec.stdout(), spec.unit() + " stdout", log);
    watch(loop, 2, spec.stderr(), spec.unit() + " stderr", log);
  }

  private void watch(IoLoop loop, int fdNum, OutputSink sink, String what, Consumer<String> log) {
    if (read[fdNum] < 0) return; // no pipe: discarded or inherited
    switch (sink) {
      case OutputSink.Lines l -> readers.add(PipeReader.watch(loop, read[fdNum], what, eachLine(l.consumer()), l.afterRead(), log));
      case OutputSink.LineBatches l -> readers.add(PipeReader.watch(loop, read[fdNum], what, l.consumer(), l.afterRead(), log));
      case OutputSink.Discard d -> throw new IllegalStateException("a pipe for a discarded stream");
      case OutputSink.Inherit i -> throw new IllegalStateException("a pipe for an inherited stream");
    }
    read[fdNum] = -1;
  }

  /** The readers {@link #watch} handed the read ends to (none for a discarded or inherited stream). */
  List<PipeReader> readers() {
    return List.copyOf(readers);
  }

  private static Consumer<LineBatch> eachLine(Consumer<String> consumer) {
    return batch -> {
      for (int i = 0; i < batch.count(); i++) consumer.accept(batch.text(i));
    };
  }

  void closeAll() {
    closeChildEnds();
    for (int i = 1; i <= 2; i++) {
      if (read[i] >= 0) Fds.close(read[i]);
      read[i] = -1;
    }
  }
}
