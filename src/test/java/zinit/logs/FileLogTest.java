package zinit.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.config.LogFile;
import zinit.logs.LineFormat.Stream;

public class FileLogTest {
  @TempDir Path dir;
  private final AtomicLong clock = new AtomicLong(1_764_536_601_123L); // 2025-11-30T21:03:21.123Z
  private final List<String> problems = new ArrayList<>();

  private FileLog open(Path path, long size, int keep, LogFile.Format format) {
    return new FileLog(path, new LogFile(path, size, keep, format), "web", problems::add, clock::get);
  }

  private static void sync(FileLog log) {
    log.flush(null);
    try {
      log.sync();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** How many of process {@code pid}'s fds are open on {@code path} (FileLogIT's check too). */
  public static long fdsOn(long pid, Path path) throws IOException {
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return fds.filter(fd -> {
            try {
              return Files.readSymbolicLink(fd).equals(path.toAbsolutePath());
            } catch (IOException e) {
              return false; // closed meanwhile
            }
          })
          .count();
    }
  }

  @Test
  void releaseWritesOutAndClosesTheFileUntilALaterLineOpensItAgain() throws IOException {
    Path p = dir.resolve("web.log");
    try (FileLog log = open(p, 1 << 20, 5, LogFile.Format.TEXT)) {
      log.write("web", Stream.STDOUT, "before");
      log.flush(null);
      log.release();
      assertThat(Files.readString(p)).endsWith("web: before\n");
      assertThat(fdsOn(ProcessHandle.current().pid(), p)).as("no fd on the released file").isZero();
      log.write("web", Stream.STDOUT, "after"); // read from the pipe after the forget
      sync(log);
      assertThat(fdsOn(ProcessHandle.current().pid(), p)).isEqualTo(1);
    }
    assertThat(Files.readString(p)).endsWith("web: before\n" + "2025-11-30T21:03:21.123Z [+] web: after\n");
  }

  @Test
  void textLineIsTimeThenTheRingsForm() throws IOException {
    Path p = dir.resolve("web.log");
    try (FileLog log = open(p, 1 << 20, 5, LogFile.Format.TEXT)) {
      log.write("web", Stream.STDOUT, "hello");
      log.write("web", Stream.STDERR, "oops");
      log.write("web", Stream.ZINIT, "started, pid 12");
      sync(log);
    }
    assertThat(Files.readString(p))
        .isEqualTo(
            "2025-11-30T21:03:21.123Z [+] web: hello\n"
                + "2025-11-30T21:03:21.123Z [-] web: oops\n"
                + "2025-11-30T21:03:21.123Z [+] zinit: web: started, pid 12\n");
  }

  @Test
  void aWriterThatCannotKeepUpPausesTheProducerUntilItIsDone() throws Exception {
    // a FIFO nobody reads yet stands for a stalled disk: the writer blocks opening it
    Path fifo = dir.resolve("stalled.log");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mk.waitFor()).isZero();
    java.util.concurrent.CountDownLatch resumed = new java.util.concurrent.CountDownLatch(1);
    try (FileLog log = open(fifo, 1 << 20, 1, LogFile.Format.TEXT)) {
      log.write("web", Stream.STDOUT, "one");
      assertThat(log.flush(resumed::countDown)).as("the writer takes the first batch").isTrue();
      assertThat(log.sync(100)).as("the writer took it and is stuck").isFalse();
      int n = 0;
      boolean paused = false;
      while (!paused) {
        log.write("web", Stream.STDOUT, "two " + n++);
        paused = !log.flush(resumed::countDown);
      }
      assertThat(n).as("lines buffered before the pause: LIMIT bytes").isGreaterThan(FileLog.LIMIT / 64);
      assertThat(resumed.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isFalse();
      try (var in = Files.newInputStream(fifo)) {
        var read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        assertThat(resumed.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("resumed once written").isTrue();
        log.sync();
        log.close();
        String text = read.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(text).startsWith("2025-11-30T21:03:21.123Z [+] web: one\n").endsWith("[+] web: two " + (n - 1) + "\n");
        assertThat(text.split("\n")).hasSize(n + 1);
      }
    }
  }

  @Test
  void timeHasMillisecondsAlwaysThreeDigits() {
    assertThat(LineFormat.time(0)).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(LineFormat.time(1_000_007)).isEqualTo("1970-01-01T00:16:40.007Z");
    assertThat(LineFormat.time(1_000_070)).isEqualTo("1970-01-01T00:16:40.070Z");
  }

  @Test
  void rotationKeepsEveryLineExactlyOnceAndHonoursKeep() throws IOException {
    Path p = dir.resolve("count.log");
    int lines = 5000;
    try (FileLog log = open(p, 4096, 3, LogFile.Format.TEXT)) {
      for (int i = 0; i < lines; i++) {
        log.write("count", Stream.STDOUT, Integer.toString(i));
        if (i % 7 == 0) log.flush(null);
      }
    }
    assertThat(dir.resolve("count.log.4")).doesNotExist();
    List<Path> files = List.of(dir.resolve("count.log.3"), dir.resolve("count.log.2"), dir.resolve("count.log.1"), p);
    List<Integer> seen = new ArrayList<>();
    for (Path f : files) {
      assertThat(f).exists();
      assertThat(Files.size(f)).isLessThanOrEqualTo(4096);
      String text = Files.readString(f);
      assertThat(text).endsWith("\n");
      for (String line : text.split("\n")) {
        assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\[\\+\\] count: \\d+");
        seen.add(Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    // the kept files hold the newest lines, consecutive, each once, none split
    int first = seen.getFirst();
    assertThat(seen).hasSize(lines - first);
    for (int i = 0; i < seen.size(); i++) assertThat(seen.get(i)).isEqualTo(first + i);
    assertThat(seen.getLast()).isEqualTo(lines - 1);
  }

  @Test
  void aFileThatExistedNearTheLimitIsRotatedBeforeItWouldExceedIt() throws IOException {
    Path p = dir.resolve("old.log");
    Files.writeString(p, "x".repeat(90) + "\n");
    try (FileLog log = open(p, 120, 2, LogFile.Format.TEXT)) {
      log.write("old", Stream.STDOUT, "new line");
    }
    assertThat(Files.readString(dir.resolve("old.log.1"))).isEqualTo("x".repeat(90) + "\n");
    assertThat(Files.readString(p)).endsWith("[+] old: new line\n");
  }

  @Test
  void aGapAmongTheRotatedFilesLosesNoneAndNewFilesAreOwnerReadable() throws IOException {
    Path p = dir.resolve("gap.log");
    Files.writeString(dir.resolve("gap.log.1"), "one\n");
    Files.writeString(dir.resolve("gap.log.3"), "three\n");
    Files.writeString(p, "x".repeat(90) + "\n");
    try (FileLog log = open(p, 120, 5, LogFile.Format.TEXT)) {
      log.write("gap", Stream.STDOUT, "new line");
    }
    assertThat(Files.readString(dir.resolve("gap.log.1"))).isEqualTo("x".repeat(90) + "\n");
    assertThat(Files.readString(dir.resolve("gap.log.2"))).isEqualTo("one\n");
    assertThat(Files.readString(dir.resolve("gap.log.3"))).isEqualTo("three\n");
    assertThat(Files.readString(p)).endsWith("[+] gap: new line\n");
    Path fresh = dir.resolve("fresh.log");
    try (FileLog log = open(fresh, 1 << 20, 5, LogFile.Format.TEXT)) {
      log.write("fresh", Stream.STDOUT, "x");
    }
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-r-----");
  }

  @Test
  void eachLineHasTheTimeOfItsWriteAcrossMillisecondsAndSeconds() throws IOException {
    // the stamp is formatted once per second and its milliseconds written in place: every
    // millisecond, second and prefix change must still show in the lines, the same for both
    // kinds of write
    Path p = dir.resolve("web.log");
    byte[] out = "[+] web: ".getBytes(StandardCharsets.UTF_8);
    byte[] err = "[-] web: ".getBytes(StandardCharsets.UTF_8);
    try (FileLog log = open(p, 1 << 20, 5, LogFile.Format.TEXT)) {
      log.write("web", Stream.STDOUT, out, Batches.of("a\n".getBytes(StandardCharsets.UTF_8), 0));
      clock.addAndGet(1); // .124
      log.write("web", Stream.STDOUT, out, Batches.of("b\n".getBytes(StandardCharsets.UTF_8), 0));
      log.write("web", Stream.STDERR, err, Batches.of("c\n".getBytes(StandardCharsets.UTF_8), 0));
      clock.addAndGet(875); // 21:03:21.999
      log.write("web", Stream.STDERR, err, Batches.of("d\n".getBytes(StandardCharsets.UTF_8), 0));
      log.write("web", Stream.ZINIT, "mark");
      clock.addAndGet(1); // 21:03:22.000
      log.write("web", Stream.STDERR, err, Batches.of("e\n".getBytes(StandardCharsets.UTF_8), 0));
      clock.addAndGet(-1000); // the wall clock set back: 21:03:21.000
      log.write("web", Stream.STDOUT, out, Batches.of("f\n".getBytes(StandardCharsets.UTF_8), 0));
      clock.addAndGet(70); // 21:03:21.070
      log.write("web", Stream.STDOUT, "g");
      log.write("web", Stream.STDOUT, out, Batches.of("h\n".getBytes(StandardCharsets.UTF_8), 0));
      sync(log);
    }
    assertThat(Files.readString(p))
        .isEqualTo(
            "2025-11-30T21:03:21.123Z [+] web: a\n"
                + "2025-11-30T21:03:21.124Z [+] web: b\n"
                + "2025-11-30T21:03:21.124Z [-] web: c\n"
                + "2025-11-30T21:03:21.999Z [-] web: d\n"
                + "2025-11-30T21:03:21.999Z [+] zinit: web: mark\n"
                + "2025-11-30T21:03:22.000Z [-] web: e\n"
                + "2025-11-30T21:03:21.000Z [+] web: f\n"
                + "2025-11-30T21:03:21.070Z [+] web: g\n"
                + "2025-11-30T21:03:21.070Z [+] web: h\n");
  }

  @Test
  void aBatchOfBytesIsWrittenAsItsLinesOneByOneWouldBe() throws IOException {
    byte[] bytes = {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n', 'c', 'r', '\r', '\n', '\n', 'u', (byte) 0xC3, (byte) 0xA9, '\n'};
    for (LogFile.Format format : LogFile.Format.values()) {
      Path byBatch = dir.resolve("batch-" + format + ".log");
      Path byLine = dir.resolve("line-" + format + ".log");
      LineBatch b = Batches.of(bytes, 0);
      try (FileLog log = open(byBatch, 1 << 20, 5, format)) {
        log.write("web", Stream.STDERR, "[-] web: ".getBytes(StandardCharsets.UTF_8), b);
      }
      try (FileLog log = open(byLine, 1 << 20, 5, format)) {
        for (int i = 0; i < b.count(); i++) log.write("web", Stream.STDERR, b.text(i));
      }
      assertThat(Files.readAllBytes(byBatch)).isEqualTo(Files.readAllBytes(byLine));
    }
    assertThat(Files.readString(dir.resolve("batch-TEXT.log")))
        .isEqualTo(
            "2025-11-30T21:03:21.123Z [-] web: ok\n"
                + "2025-11-30T21:03:21.123Z [-] web: caf\ufffd\n"
                + "2025-11-30T21:03:21.123Z [-] web: cr\r\n"
                + "2025-11-30T21:03:21.123Z [-] web: \n"
                + "2025-11-30T21:03:21.123Z [-] web: u\u00e9\n");
    for (String line : Files.readAllLines(dir.resolve("batch-JSON.log"))) {
      assertThat(new ObjectMapper().readTree(line).get("stream").asText()).isEqualTo("stderr");
    }
  }

  @Test
  void aBatchIsCutWhereTheFileRotatesNeverInsideALine() throws IOException {
    Path p = dir.resolve("rot.log");
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < 400; i++) in.append(i).append('\n');
    try (FileLog log = open(p, 2048, 20, LogFile.Format.TEXT)) {
      log.write("rot", Stream.STDOUT, "[+] rot: ".getBytes(StandardCharsets.UTF_8), Batches.of(in.toString().getBytes(StandardCharsets.UTF_8), 0));
    }
    List<Integer> seen = new ArrayList<>();
    for (int n = 20; n >= 0; n--) {
      Path f = n == 0 ? p : dir.resolve("rot.log." + n);
      if (!Files.exists(f)) continue;
      assertThat(Files.size(f)).isLessThanOrEqualTo(2048);
      for (String line : Files.readString(f).split("\n")) seen.add(Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1)));
    }
    assertThat(seen).hasSize(400);
    for (int i = 0; i < 400; i++) assertThat(seen.get(i)).isEqualTo(i);
  }

  @Test
  void batchesCutByRotationGiveTheFilesLineByLineWritesGive() throws IOException {
    // plain and mixed batches of lines of every length up to 60 bytes, rotating every ~300 bytes
    List<byte[]> reads = new ArrayList<>();
    java.util.Random random = new java.util.Random(10);
    for (int r = 0; r < 40; r++) {
      java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
      for (int l = random.nextInt(12); l >= 0; l--) {
        int length = random.nextInt(61);
        for (int i = 0; i < length; i++) read.write(r % 3 == 2 && i == 5 ? 0xE9 : 'a' + random.nextInt(26));
        read.write('\n');
      }
      reads.add(read.toByteArray());
    }
    Path byBatch = dir.resolve("b.log");
    Path byLine = dir.resolve("l.log");
    try (FileLog log = open(byBatch, 300, 200, LogFile.Format.TEXT)) {
      for (byte[] read : reads) log.write("web", Stream.STDOUT, "[+] web: ".getBytes(StandardCharsets.UTF_8), Batches.of(read, 0));
    }
    try (FileLog log = open(byLine, 300, 200, LogFile.Format.TEXT)) {
      for (byte[] read : reads) {
        LineBatch b = Batches.of(read, 0);
        for (int i = 0; i < b.count(); i++) log.write("web", Stream.STDOUT, b.text(i));
      }
    }
    for (int n = 0; n <= 200; n++) {
      Path a = n == 0 ? byBatch : dir.resolve("b.log." + n);
      Path b = n == 0 ? byLine : dir.resolve("l.log." + n);
      assertThat(Files.exists(a)).as("b.log.%d", n).isEqualTo(Files.exists(b));
      if (Files.exists(a)) assertThat(Files.readAllBytes(a)).as("b.log.%d", n).isEqualTo(Files.readAllBytes(b));
    }
    assertThat(dir.resolve("b.log.3")).exists();
  }

  @Test
  void keepZeroStartsTheFileOver() throws IOException {
    Path p = dir.resolve("k0.log");
    try (FileLog log = open(p, 100, 0, LogFile.Format.TEXT)) {
      for (int i = 0; i < 20; i++) log.write("k0", Stream.STDOUT, "line " + i);
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("k0.log");
    }
    assertThat(Files.readString(p)).endsWith("line 19\n");
  }

  @Test
  void jsonLinesParseBackToTheSameTextForTrickyBytes() throws IOException {
    Path p = dir.resolve("j.log");
    // what the line splitter makes of invalid UTF-8 is U+FFFD; the rest is as the service wrote it
    String invalid = new String(new byte[] {'a', (byte) 0xff, (byte) 0xc3, 'b'}, StandardCharsets.UTF_8);
    List<String> texts =
        List.of("plain", "quote \" backslash \\ slash /", "tab\there\rcr", "ctl \u0000\u0001\u001f\u007f end",
            "unicode é 漢字 😀", invalid, "\u2028\u2029", "lone \uD800 surrogate", "{\"not\":\"nested\"}", "");
    try (FileLog log = open(p, 1 << 20, 1, LogFile.Format.JSON)) {
      for (String t : texts) log.write("web", Stream.STDERR, t);
      log.write("web", Stream.ZINIT, "exited (exit code 3), restarting in 2000 ms");
    }
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(p);
    assertThat(lines).hasSize(texts.size() + 1);
    for (int i = 0; i < texts.size(); i++) {
      JsonNode n = json.readTree(lines.get(i));
      assertThat(n.get("time").asText()).isEqualTo("2025-11-30T21:03:21.123Z");
      assertThat(n.get("service").asText()).isEqualTo("web");
      assertThat(n.get("stream").asText()).isEqualTo("stderr");
      String expected = texts.get(i).replace('\uD800', '\uFFFD');
      assertThat(n.get("msg").asText()).isEqualTo(expected);
      assertThat(n.size()).isEqualTo(4);
    }
    JsonNode mark = json.readTree(lines.getLast());
    assertThat(mark.get("stream").asText()).isEqualTo("zinit");
    assertThat(mark.get("msg").asText()).startsWith("exited (exit code 3)");
  }

  @Test
  void unwritablePathCountsLostLinesThenWritesAMarkerWhenBack() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path p = sub.resolve("web.log");
    try (FileLog log = open(p, 1 << 20, 2, LogFile.Format.TEXT)) {
      log.write("web", Stream.STDOUT, "before");
      sync(log);
      Files.delete(p);
      Files.delete(sub);
      Files.writeString(sub, "a file where the log directory was");
      // the file was removed: noticed at the next check, then it cannot be reopened
      clock.addAndGet(1500);
      sync(log);
      for (int i = 0; i < 3; i++) {
        log.write("web", Stream.STDOUT, "lost " + i);
        sync(log);
      }
      assertThat(log.lost()).isEqualTo(3);
      assertThat(log.error()).contains(sub.toString());
      Files.delete(sub); // the directory is created again when the file is reopened
      log.write("web", Stream.STDOUT, "after");
      sync(log);
      assertThat(log.error()).isNull();
      assertThat(log.lost()).isEqualTo(3);
    }
    List<String> lines = Files.readAllLines(p);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches(".*Z \\[\\+\\] zinit: web: 3 log lines lost \\(.+\\)");
    assertThat(lines.get(1)).endsWith("[+] web: after");
    assertThat(problems).anyMatch(m -> m.contains("counting lost log lines")).anyMatch(m -> m.contains("again after 3"));
  }

  @Test
  void lineLongerThanTheSizeLimitGetsAFileOfItsOwn() throws IOException {
    Path p = dir.resolve("big.log");
    try (FileLog log = open(p, 50, 3, LogFile.Format.TEXT)) {
      log.write("big", Stream.STDOUT, "a");
      log.write("big", Stream.STDOUT, "x".repeat(200));
      log.write("big", Stream.STDOUT, "b");
    }
    assertThat(Files.readString(dir.resolve("big.log.2"))).endsWith("big: a\n");
    assertThat(Files.readString(dir.resolve("big.log.1"))).endsWith("x".repeat(200) + "\n");
    assertThat(Files.readString(p)).endsWith("big: b\n");
  }
}
