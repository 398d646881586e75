package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.sh;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.supervisor.OutputSink;
import zinit.supervisor.ServiceProcess;

/** The per-thread children lists the final sweep walks instead of every process on the machine. */
class ProcFsChildrenTest {
  @TempDir Path tmp;

  @Test
  void childrenListsEachGenerationAndNothingOnceGone() throws Exception {
    assumeTrue(ProcFs.HAS_CHILDREN_FILES, "kernel without /proc/<pid>/task/<tid>/children");
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(false)) {
      ServiceProcess parent =
          h.host()
              .spawn(sh("parent", "sleep 1000 & echo $!; wait", tmp, new OutputSink.Lines(out::add), new OutputSink.Discard()));
      OsTesting.await("grandchild pid", () -> out.size() == 1);
      int grandchild = Integer.parseInt(out.getFirst());

      // The spawning thread of this JVM is the parent's parent; the sh is the grandchild's.
      assertThat(ProcFs.children(Libc.getpid())).contains(parent.pid());
      assertThat(ProcFs.children(parent.pid())).containsExactly(grandchild);
      assertThat(ProcFs.children(grandchild)).isEmpty();

      parent.killAll();
      parent.exit().get(30, TimeUnit.SECONDS);
      parent.empty().get(30, TimeUnit.SECONDS);
      parent.close();
      assertThat(ProcFs.children(parent.pid())).isEmpty();
    }
  }
}
