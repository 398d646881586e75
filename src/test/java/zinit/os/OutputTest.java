package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
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

class OutputTest {
  @TempDir Path tmp;

  @Test
  void stdoutAndStderrArriveAsSeparateLinesWithTheFinalUnterminatedOne() throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    List<String> err = new CopyOnWriteArrayList<>();
    try (var h = host(false)) {
      ServiceProcess p =
          h.host()
              .spawn(
                  sh(
                      "talker",
                      "echo one; echo two >&2; echo; printf 'three\\nfour'; printf 'tail' >&2",
                      tmp,
                      new OutputSink.Lines(out::add),
                      new OutputSink.Lines(err::add)));
      p.exit().get(30, TimeUnit.SECONDS);
      OsTesting.await("all output", () -> out.size() == 4 && err.size() == 2);
      assertThat(out).containsExactly("one", "", "three", "four");
      assertThat(err).containsExactly("two", "tail");
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }

  @Test
  void eachPipeSaysItEndedOnceAfterItsLastLine() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    OutputSink.AfterRead marks = OutputSink.AfterRead.endingWith(() -> seen.add("ended"));
    try (var h = host(false)) {
      ServiceProcess p =
          h.host()
              .spawn(
                  sh(
                      "ender",
                      "echo out; printf 'last' >&2",
                      tmp,
                      new OutputSink.Lines(seen::add, marks),
                      new OutputSink.Lines(seen::add, marks)));
      p.exit().get(30, TimeUnit.SECONDS);
      OsTesting.await("both pipes ended", () -> seen.stream().filter("ended"::equals).count() == 2);
      p.empty().get(30, TimeUnit.SECONDS);
      Thread.sleep(200); // a second EOF report of a pipe would come meanwhile
      assertThat(seen).containsExactlyInAnyOrder("out", "last", "ended", "ended");
      assertThat(seen.indexOf("out")).isLessThan(seen.lastIndexOf("ended"));
      assertThat(seen.indexOf("last")).isLessThan(seen.lastIndexOf("ended"));
      p.close();
    }
  }

  @Test
  void longLinesAreCutAndTheirRestFollows() throws Exception {
    List<String> out = new CopyOnWriteArrayList<>();
    try (var h = host(false)) {
      // 20000 'x' then a newline then "end".
      ServiceProcess p =
          h.host()
              .spawn(
                  sh(
                      "long",
                      "head -c 20000 /dev/zero | tr '\\0' x; echo; echo end",
                      tmp,
                      new OutputSink.Lines(out::add),
                      new OutputSink.Discard()));
      p.exit().get(30, TimeUnit.SECONDS);
      OsTesting.await("all output", () -> out.contains("end"));
      assertThat(out).hasSize(4);
      assertThat(out.get(0)).hasSize(LineSplitter.MAX_LINE).matches("x+");
      assertThat(out.get(1)).hasSize(LineSplitter.MAX_LINE);
      assertThat(out.get(2)).hasSize(20000 - 2 * LineSplitter.MAX_LINE);
      assertThat(out.get(3)).isEqualTo("end");
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
    }
  }
}
