package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static zinit.os.OsTesting.exists;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.key;
import static zinit.os.OsTesting.sh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import zinit.supervisor.OutputSink;
import zinit.supervisor.ServiceProcess;

/** Sweep takes every child of this JVM, so it runs with no other test alongside. */
@Isolated
class SweepTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "cgroups={0}")
  @ValueSource(booleans = {true, false})
  void sweepRemovesEverythingIncludingTermIgnorersAndOrphans(boolean cgroups) throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(cgroups)) {
      ServiceProcess polite = h.host().spawn(sh("polite", "exec sleep 1000", tmp));
      ServiceProcess stubborn =
          h.host()
              .spawn(sh("stubborn", "trap '' TERM; sleep 1000 & echo $!; exec sleep 1000", tmp, new OutputSink.Lines(out::add), new OutputSink.Discard()));
      // An orphan: its parent exits, so it is re-parented to the JVM.
      ServiceProcess orphaner =
          h.host().spawn(sh("orphaner", "sleep 1000 & echo $!; exit 0", tmp, new OutputSink.Lines(out::add), new OutputSink.Discard()));
      OsTesting.await("pids", () -> out.size() == 2);
      orphaner.exit().get(30, TimeUnit.SECONDS);
      List<ProcFs.Key> keys = new ArrayList<>();
      keys.add(key(polite.pid()));
      keys.add(key(stubborn.pid()));
      for (String pid : out) keys.add(key(Integer.parseInt(pid)));

      assertThat(h.host().sweep(Duration.ofMillis(300))).isEmpty();
      for (ProcFs.Key k : keys) assertThat(exists(k)).as("left: " + k).isFalse();
      for (ServiceProcess p : List.of(polite, stubborn, orphaner)) {
        p.empty().get(30, TimeUnit.SECONDS);
        p.close();
      }
    }
  }
}
