package zinit.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LogRingTest {
  @Test
  void formatMarksStdoutAndStderr() {
    assertThat(LogRing.format("redis", false, "ready")).isEqualTo("[+] redis: ready");
    assertThat(LogRing.format("redis", true, "oops")).isEqualTo("[-] redis: oops");
  }

  /** {@code text}'s lines as one batch, not at the start of its array (a line need not start at 0). */
  private static LineBatch batch(String text) {
    return Batches.of(("#" + text).getBytes(java.nio.charset.StandardCharsets.UTF_8), 1);
  }

  @Test
  void aBatchReadsBackAsItsLinesWouldWrappedFilteredAndCut() throws InterruptedException {
    LogRing ring = new LogRing(4);
    try (LogRing.Subscription sub = ring.subscribe("web", 10)) {
      LineBatch first = batch("a\nb\n");
      ring.appendLines("[+] web: ", first);
      ring.append("db", false, "x");
      String longLine = "y".repeat(LogRing.MAX_LINE);
      ring.appendLines("[-] web: ", batch("caf\u00e9\n" + longLine + "\n"));
      java.util.Arrays.fill(first.data(), (byte) 'Z'); // the producer's array is reused: the ring kept a copy
      String cut = ("[-] web: " + longLine).substring(0, LogRing.MAX_LINE);
      assertThat(ring.snapshot(null)).containsExactly("[+] web: b", "[+] db: x", "[-] web: caf\u00e9", cut);
      assertThat(ring.snapshot("web")).containsExactly("[+] web: b", "[-] web: caf\u00e9", cut);
      assertThat(ring.snapshot("db", LineView.JSON)).hasSize(1);
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) got.add(sub.poll(5, TimeUnit.SECONDS));
      assertThat(got).containsExactly("[+] web: a", "[+] web: b", "[-] web: caf\u00e9", cut);
    }
  }

  @Test
  void batchesKeepTheirLinesWhileTheRingFillsItsArraysAgain() {
    // reads of 1 to 5 lines of up to 8 KiB, some lines as Strings in between: the ring's arrays
    // (a few reads each) fill up, are filled again once their lines are gone, and no line still in
    // the ring is overwritten (20 lines span two to four arrays)
    LogRing ring = new LogRing(20);
    java.util.ArrayDeque<String> expected = new java.util.ArrayDeque<>();
    java.util.Random random = new java.util.Random(10);
    for (int read = 0; read < 400; read++) {
      if (read % 9 == 0) {
        ring.append("db", false, "plain " + read);
        expected.add("[+] db: plain " + read);
      } else {
        int lines = 1 + random.nextInt(5);
        int length = 4000 + random.nextInt(4000);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
          String line = read + "." + i + " " + "x".repeat(length);
          text.append(line).append('\n');
          expected.add("[+] web: " + line.substring(0, Math.min(line.length(), LogRing.MAX_LINE - 9)));
        }
        ring.appendLines("[+] web: ", batch(text.toString()));
      }
      while (expected.size() > 20) expected.removeFirst();
      assertThat(ring.snapshot(null)).as("after read %d", read).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void snapshotIsOldestFirstAndWrapsAroundAtCapacity() {
    LogRing ring = new LogRing(3);
    assertThat(ring.snapshot(null)).isEmpty();
    for (int i = 1; i <= 5; i++) ring.append("s", false, "line " + i);
    assertThat(ring.snapshot(null)).containsExactly("[+] s: line 3", "[+] s: line 4", "[+] s: line 5");
    ring.append("s", true, "line 6");
    assertThat(ring.snapshot(null)).containsExactly("[+] s: line 4", "[+] s: line 5", "[-] s: line 6");
  }

  @Test
  void filterMatchesExactServiceNameOnly() {
    LogRing ring = new LogRing(10);
    ring.append("redis", false, "a");
    ring.append("red", true, "b");
    ring.append("redis/test", false, "c");
    ring.append("redis2", false, "d");
    ring.appendLine(LogRing.format(LogRing.ZINIT, false, "redis: not mine"));
    assertThat(ring.snapshot("redis")).containsExactly("[+] redis: a");
    assertThat(ring.snapshot("red")).containsExactly("[-] red: b");
    assertThat(ring.snapshot("redis/test")).containsExactly("[+] redis/test: c");
    assertThat(ring.snapshot("re")).isEmpty();
    assertThat(ring.snapshot("zinit")).containsExactly("[+] zinit: redis: not mine");
  }

  @Test
  void entriesKeepTheirTimeForTheTimeAndJsonViews() throws Exception {
    long[] now = {1_764_536_601_123L};
    LogRing ring = new LogRing(5, () -> now[0]);
    ring.append("web", false, "one");
    now[0] += 1001;
    ring.appendLine(LineFormat.ringLine("web", LineFormat.Stream.ZINIT, "started, pid 7"));
    assertThat(ring.snapshot(null)).containsExactly("[+] web: one", "[+] zinit: web: started, pid 7");
    assertThat(ring.snapshot(null, LineView.TIME))
        .containsExactly("2025-11-30T21:03:21.123Z [+] web: one", "2025-11-30T21:03:22.124Z [+] zinit: web: started, pid 7");
    assertThat(ring.snapshot("web", LineView.JSON))
        .containsExactly("{\"time\":\"2025-11-30T21:03:21.123Z\",\"service\":\"web\",\"stream\":\"stdout\",\"msg\":\"one\"}");
    assertThat(ring.snapshot("zinit", LineView.JSON))
        .containsExactly("{\"time\":\"2025-11-30T21:03:22.124Z\",\"service\":\"zinit\",\"stream\":\"zinit\",\"msg\":\"web: started, pid 7\"}");
    try (LogRing.Subscription sub = ring.subscribe(null, 10, true, LineView.TIME)) {
      now[0] += 1;
      ring.append("web", true, "two");
      assertThat(sub.poll(5, TimeUnit.SECONDS)).isEqualTo("2025-11-30T21:03:21.123Z [+] web: one");
      assertThat(sub.poll(5, TimeUnit.SECONDS)).startsWith("2025-11-30T21:03:22.124Z [+] zinit");
      assertThat(sub.poll(5, TimeUnit.SECONDS)).isEqualTo("2025-11-30T21:03:22.125Z [-] web: two");
    }
  }

  @Test
  void longLinesAreCut() {
    LogRing ring = new LogRing(2);
    ring.append("s", false, "x".repeat(100_000));
    String line = ring.snapshot(null).getFirst();
    assertThat(line).hasSize(LogRing.MAX_LINE).startsWith("[+] s: xxx");
  }

  @Test
  void cutNeverSplitsASurrogatePair() {
    LogRing ring = new LogRing(2);
    String prefix = "[+] s: ";
    String text = "x".repeat(LogRing.MAX_LINE - prefix.length() - 1) + "\uD83D\uDE00tail";
    ring.append("s", false, text);
    String line = ring.snapshot(null).getFirst();
    assertThat(line).hasSize(LogRing.MAX_LINE - 1).endsWith("x");
  }

  @Test
  void subscriberSeesEveryLineOfABatchLongerThanTheRingInOrder() throws Exception {
    LogRing ring = new LogRing(3);
    try (LogRing.Subscription sub = ring.subscribe("web", 20)) {
      ring.appendLines("[+] web: ", batch("1\n2\n3\n4\n5\ncaf\u00e9\n7\n"));
      List<String> got = new ArrayList<>();
      assertThat(sub.takeBatch(got, 20)).isTrue();
      assertThat(got).containsExactly("[+] web: 1", "[+] web: 2", "[+] web: 3", "[+] web: 4", "[+] web: 5", "[+] web: caf\u00e9", "[+] web: 7");
      assertThat(sub.dropped()).isZero();
    }
    assertThat(ring.snapshot(null)).containsExactly("[+] web: 5", "[+] web: caf\u00e9", "[+] web: 7");
  }

  @Test
  void subscriberSeesNewMatchingLinesInOrder() throws Exception {
    LogRing ring = new LogRing(10);
    ring.append("a", false, "before");
    try (LogRing.Subscription sub = ring.subscribe("a", 10)) {
      ring.append("b", false, "other");
      ring.append("a", false, "one");
      ring.append("a", true, "two");
      assertThat(sub.poll(10, TimeUnit.SECONDS)).isEqualTo("[+] a: one");
      assertThat(sub.take()).isEqualTo("[-] a: two");
      assertThat(sub.poll(0, TimeUnit.SECONDS)).isNull();
      assertThat(sub.dropped()).isZero();
    }
  }

  @Test
  void takeBatchTakesWhatIsQueuedUpToMaxOldestFirst() throws Exception {
    LogRing ring = new LogRing(10);
    try (LogRing.Subscription sub = ring.subscribe(null, 10)) {
      for (int i = 1; i <= 5; i++) ring.append("a", false, "l" + i);
      List<String> batch = new ArrayList<>();
      assertThat(sub.takeBatch(batch, 3)).isTrue();
      assertThat(batch).containsExactly("[+] a: l1", "[+] a: l2", "[+] a: l3");
      batch.clear();
      assertThat(sub.takeBatch(batch, 100)).isTrue();
      assertThat(batch).containsExactly("[+] a: l4", "[+] a: l5");
    }
  }

  @Test
  void takeBatchWaitsForALineAndReturnsFalseOnceClosed() throws Exception {
    LogRing ring = new LogRing(10);
    LogRing.Subscription sub = ring.subscribe(null, 10);
    List<String> batch = new ArrayList<>();
    AtomicReference<Boolean> result = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    Thread t =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    result.set(sub.takeBatch(batch, 10));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  done.countDown();
                });
    ring.append("a", false, "wake");
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(result.get()).isTrue();
    assertThat(batch).containsExactly("[+] a: wake");
    t.join();
    sub.close();
    batch.clear();
    assertThat(sub.takeBatch(batch, 10)).isFalse();
    assertThat(batch).isEmpty();
  }

  @Test
  void subscribeWithHistoryYieldsSnapshotThenNewLinesWithoutGapOrRepeat() throws Exception {
    LogRing ring = new LogRing(100);
    for (int i = 0; i < 50; i++) ring.append("a", false, "old " + i);
    try (LogRing.Subscription sub = ring.subscribe(null, 5, true)) {
      ring.append("a", false, "new");
      List<String> got = new ArrayList<>();
      String line;
      while ((line = sub.poll(0, TimeUnit.SECONDS)) != null) got.add(line);
      assertThat(got).hasSize(51).startsWith("[+] a: old 0").endsWith("[+] a: new");
      assertThat(sub.dropped()).isZero();
    }
  }

  @Test
  void slowSubscriberDropsOldestAndNeverBlocksAppend() throws Exception {
    LogRing ring = new LogRing(10);
    try (LogRing.Subscription sub = ring.subscribe(null, 4)) {
      // nobody reads: appending far more than the queue holds must still return
      for (int i = 0; i < 100_000; i++) ring.append("s", false, Integer.toString(i));
      assertThat(sub.dropped()).isEqualTo(100_000 - 4);
      assertThat(sub.take()).isEqualTo("[+] s: 99996");
      assertThat(sub.take()).isEqualTo("[+] s: 99997");
      assertThat(sub.take()).isEqualTo("[+] s: 99998");
      assertThat(sub.take()).isEqualTo("[+] s: 99999");
      assertThat(sub.poll(0, TimeUnit.SECONDS)).isNull();
    }
  }

  @Test
  void historyAllowanceShrinksOnceConsumed() throws Exception {
    LogRing ring = new LogRing(10);
    for (int i = 0; i < 10; i++) ring.append("s", false, "h" + i);
    try (LogRing.Subscription sub = ring.subscribe(null, 2, true)) {
      for (int i = 0; i < 10; i++) assertThat(sub.take()).isEqualTo("[+] s: h" + i);
      for (int i = 0; i < 5; i++) ring.append("s", false, "n" + i);
      assertThat(sub.dropped()).isEqualTo(3);
      assertThat(sub.take()).isEqualTo("[+] s: n3");
    }
  }

  @Test
  void closeWakesBlockedTakeWithNullAndStopsDelivery() throws Exception {
    LogRing ring = new LogRing(10);
    LogRing.Subscription sub = ring.subscribe(null, 10);
    AtomicReference<String> result = new AtomicReference<>("unset");
    CountDownLatch done = new CountDownLatch(1);
    Thread t =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    result.set(sub.take());
                  } catch (InterruptedException e) {
                    result.set("interrupted");
                  }
                  done.countDown();
                });
    sub.close();
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    t.join();
    assertThat(result.get()).isNull();
    ring.append("s", false, "after close");
    assertThat(sub.take()).isNull();
    assertThat(sub.poll(1, TimeUnit.MILLISECONDS)).isNull();
    sub.close(); // idempotent
  }

  @Test
  void concurrentReadersSeeEveryLineOfOneWriterInOrder() throws Exception {
    LogRing ring = new LogRing(50);
    int n = 20_000;
    try (LogRing.Subscription sub = ring.subscribe(null, n)) {
      Thread writer =
          Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) ring.append("w", false, Integer.toString(i));
          });
      for (int i = 0; i < n; i++) {
        assertThat(sub.poll(30, TimeUnit.SECONDS)).isEqualTo("[+] w: " + i);
        if (i % 1000 == 0) assertThat(ring.snapshot("w").size()).isLessThanOrEqualTo(50);
      }
      writer.join();
      assertThat(sub.dropped()).isZero();
    }
  }
}
