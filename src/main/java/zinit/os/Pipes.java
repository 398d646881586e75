package zinit.os;

import java.util.function.Consumer;
import zinit.supervisor.OutputSink;
import zinit.supervisor.SpawnSpec;

/** The output pipes of one spawn: created before it, child ends closed after it, read ends watched. */
final class Pipes {
  private final int[] read = {-1, -1, -1};
  private final int[] write = {-1, -1, -1};

  /** The fd the child's {@code fdNum} (1 or 2) should get, per {@link Spawner}'s convention. */
  int target(OutputSink sink, int fdNum) {
    return switch (sink) {
      case OutputSink.Discard d -> Spawner.DEV_NULL;
      case OutputSink.Inherit i -> Spawner.INHERIT;
      case OutputSink.Lines l -> {
        int[] p = Fds.pipe();
        read[fdNum] = p[0];
        write[fdNum] = p[1];
        yield p[1];
      }
    };
  }

  void closeChildEnds() {
    for (int i = 1; i <= 2; i++) {
      if (write[i] >= 0) Fds.close(write[i]);
      write[i] = -1;
    }
  }

  /** Hands the read ends to the loop, which owns them from now on. */
  void watch(IoLoop loop, SpawnSpec spec, Consumer<String> log) {
    if (read[1] >= 0 && spec.stdout() instanceof OutputSink.Lines l) {
      PipeReader.watch(loop, read[1], spec.unit() + " stdout", l.consumer(), l.afterRead(), log);
      read[1] = -1;
    }
    if (read[2] >= 0 && spec.stderr() instanceof OutputSink.Lines l) {
      PipeReader.watch(loop, read[2], spec.unit() + " stderr", l.consumer(), l.afterRead(), log);
      read[2] = -1;
    }
  }

  void closeAll() {
    closeChildEnds();
    for (int i = 1; i <= 2; i++) {
      if (read[i] >= 0) Fds.close(read[i]);
      read[i] = -1;
    }
  }
}
