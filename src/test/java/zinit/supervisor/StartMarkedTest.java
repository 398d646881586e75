package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartMarkedTest {
  private final List<String> written = new ArrayList<>();
  private final LogSink.Output target =
      new LogSink.Output() {
        @Override
        public void line(String unit, boolean stderr, String text) {
          written.add((stderr ? "err " : "out ") + text);
        }

        @Override
        public boolean flush(Runnable resume) {
          written.add("flush");
          return true;
        }
      };

  @Test
  void linesReadBeforeTheSpawnReturnedComeAfterTheStartMark() {
    StartMarked out = new StartMarked(target);
    out.line("web", false, "early");
    assertThat(out.flush(() -> {})).isTrue();
    out.line("web", true, "early too");
    assertThat(written).isEmpty();
    out.started(() -> written.add("mark"));
    out.line("web", false, "later");
    assertThat(out.flush(() -> {})).isTrue();
    assertThat(written).containsExactly("mark", "out early", "err early too", "flush", "out later", "flush");
  }

  @Test
  void aProgramThatPrintsMoreThanTheLimitBeforeItsMarkIsNeverHeldBack() {
    StartMarked out = new StartMarked(target);
    for (int i = 0; i <= StartMarked.MAX_HELD; i++) out.line("web", false, Integer.toString(i));
    assertThat(written).hasSize(StartMarked.MAX_HELD + 1).startsWith("out 0").endsWith("out " + StartMarked.MAX_HELD);
    out.started(() -> written.add("mark"));
    assertThat(written.subList(StartMarked.MAX_HELD + 1, written.size())).containsExactly("mark", "flush");
  }
}
