package zinit.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpisodeTest {
  private final List<String> log = new ArrayList<>();

  @Test
  void repeatedTroubleIsLoggedOnceThenOnceWithItsCount() {
    Episode e = new Episode(log::add);
    for (int i = 0; i < 1000; i++) e.happened("accept failed: Too many open files");
    e.over("accepting again");
    e.over("accepting again");
    assertThat(log).containsExactly(
        "accept failed: Too many open files",
        "accepting again (after 1000 times: accept failed: Too many open files)");
  }

  @Test
  void differentTroubleStartsANewLine() {
    Episode e = new Episode(log::add);
    e.happened("a");
    e.happened("a");
    e.happened("b");
    assertThat(log).containsExactly("a", "a (2 times)", "b");
  }

  @Test
  void acceptBackoffSleepsLongerEachTimeAndLogsOncePerEpisode() throws Exception {
    AcceptBackoff b = new AcceptBackoff("rpc", log::add);
    long start = System.nanoTime();
    for (int i = 0; i < 5; i++) b.failed(new IOException("Too many open files"));
    long sleptMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(sleptMillis).as("10+20+40+80+160 ms of back-off").isGreaterThanOrEqualTo(310);
    b.succeeded();
    b.succeeded();
    assertThat(log).containsExactly(
        "rpc: accept failed, backing off: Too many open files",
        "rpc: accepting again (after 5 times: rpc: accept failed, backing off: Too many open files)");
  }
}
