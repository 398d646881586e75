package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Restart delays of a crash loop, including the zero delays a service file may ask for. */
class BackoffTest {
  static final Duration MINUTE = Duration.ofSeconds(60);

  @Test
  void defaultDoublesFromTwoSecondsToTheCap() {
    assertThat(Backoff.DEFAULT.delay(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(Backoff.DEFAULT.delay(2)).isEqualTo(Duration.ofSeconds(4));
    assertThat(Backoff.DEFAULT.delay(6)).isEqualTo(MINUTE);
    assertThat(Backoff.DEFAULT.delay(Integer.MAX_VALUE)).isEqualTo(MINUTE);
  }

  @Test
  void zeroDelayRestartsAtOnceOnceThenBacksOffInsteadOfAHotLoop() {
    // restart_delay: 0 (and restart_delay_max: 0) restarted a crashing service ~400 times a second
    // for ever, zinit at a full core
    Backoff zero = new Backoff(Duration.ZERO, MINUTE, MINUTE);
    assertThat(zero.delay(1)).isZero();
    assertThat(zero.delay(2)).isGreaterThanOrEqualTo(Backoff.FLOOR);
    assertThat(zero.delay(3)).isGreaterThan(zero.delay(2));
    assertThat(zero.delay(1000)).isEqualTo(MINUTE);
    Backoff none = new Backoff(Duration.ZERO, Duration.ZERO, MINUTE);
    assertThat(none.delay(1)).isZero();
    assertThat(none.delay(2)).isEqualTo(Backoff.FLOOR);
    assertThat(none.delay(Integer.MAX_VALUE)).isEqualTo(Backoff.FLOOR);
    Backoff ms = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), MINUTE);
    assertThat(ms.delay(5)).isEqualTo(Backoff.FLOOR);
  }

  @Test
  void delaysAtOrAboveTheFloorAreUnchanged() {
    Backoff b = new Backoff(Backoff.FLOOR, Duration.ofSeconds(1), MINUTE);
    assertThat(b.delay(1)).isEqualTo(Backoff.FLOOR);
    assertThat(b.delay(2)).isEqualTo(Backoff.FLOOR.multipliedBy(2));
    assertThat(b.delay(50)).isEqualTo(Duration.ofSeconds(1));
  }
}
