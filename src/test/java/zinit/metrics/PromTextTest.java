package zinit.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromTextTest {
  @Test
  void labelValuesAndHelpAreEscapedAndNumbersArePlain() {
    String text =
        new PromText()
            .family("x_total", "counter", "a \\\\ help\nline")
            .sample("x_total", 3, "service", "we\"b\\\\\n", "stream", "stdout")
            .sample("x_total", 0.25)
            .sample("x_total", Double.NaN)
            .sample("x_total", 1e20)
            .toString();
    assertThat(text)
        .isEqualTo(
            "# HELP x_total a \\\\\\\\ help\\nline\n"
                + "# TYPE x_total counter\n"
                + "x_total{service=\"we\\\"b\\\\\\\\\\n\",stream=\"stdout\"} 3\n"
                + "x_total 0.25\n"
                + "x_total NaN\n"
                + "x_total 1.0E20\n");
  }

  @Test
  void killedBySignalIsReportedAs128PlusTheSignal() {
    assertThat(Metrics.exitCode(new zinit.supervisor.ExitStatus.Killed(9))).isEqualTo(137);
    assertThat(Metrics.exitCode(new zinit.supervisor.ExitStatus.Exited(3))).isEqualTo(3);
  }
}
