package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import zinit.logs.FileLogTest;

/** Issue 10: `log: file` end to end through bin/zinit, with real services writing real files. */
class FileLogIT {
  private static final Pattern TEXT_LINE = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (\\[[+-]\\] .*)");
  private static final Pattern MARKER = Pattern.compile(".*\\[\\+\\] zinit: \\w+: (\\d+) log lines lost \\(.*\\)");

  @BeforeAll
  static void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  /** The log file and its rotated ones, oldest first. */
  private static List<Path> filesOldestFirst(Path log) throws IOException {
    List<Path> out = new ArrayList<>();
    for (int i = 1000; i >= 1; i--) {
      Path p = log.resolveSibling(log.getFileName() + "." + i);
      if (Files.exists(p)) out.add(p);
    }
    if (Files.exists(log)) out.add(log);
    return out;
  }

  private static List<String> allLines(Path log) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path p : filesOldestFirst(log)) out.addAll(Files.readAllLines(p));
    return out;
  }

  @Test
  void flatOutCounterRotatesWithEveryNumberExactlyOnceAndNoLineSplit() throws Exception {
    int n = 300_000;
    try (Zinit z = new Zinit()) {
      Path log = z.file("logs/count.log");
      z.service("count", "exec: seq 1 " + n + "\noneshot: true\nlog: file\nlog_file: " + log
              + "\nlog_size: 128K\nlog_keep: 1000\n")
          .start();
      Zinit.waitFor("every number in the files", Duration.ofSeconds(120), () -> {
        try {
          return allLines(log).stream().filter(l -> l.matches(".*\\[\\+\\] count: \\d+")).count() >= n;
        } catch (IOException e) {
          return false;
        }
      });
      List<Path> files = filesOldestFirst(log);
      assertThat(files.size()).as("rotated files").isGreaterThan(5);
      BitSet seen = new BitSet();
      int count = 0;
      int last = 0;
      for (Path f : files) {
        assertThat(Files.size(f)).as("%s within log_size", f).isLessThanOrEqualTo(128 * 1024);
        String text = Files.readString(f);
        assertThat(text).as("%s ends with a whole line", f).endsWith("\n");
        for (String line : text.split("\n")) {
          Matcher m = TEXT_LINE.matcher(line);
          assertThat(m.matches()).as("line '%s' of %s", line, f).isTrue();
          if (!m.group(1).startsWith("[+] count: ")) continue;
          int v = Integer.parseInt(m.group(1).substring("[+] count: ".length()));
          assertThat(seen.get(v)).as("%d written twice", v).isFalse();
          assertThat(v).as("order").isEqualTo(last + 1);
          seen.set(v);
          last = v;
          count++;
        }
      }
      assertThat(count).isEqualTo(n);
      // the ring got them too, so `zinit log` keeps working
      var ring = z.cli("log", "-s", "count");
      assertThat(ring.stdout()).endsWith("[+] count: " + n + "\n");
    }
  }

  @Test
  void marksStartsAndExitsAndFlushesAPartialLastLine() throws Exception {
    try (Zinit z = new Zinit()) {
      Path logDir = z.file("varlog");
      z.initArgs("--log-dir", logDir.toString())
          .service("crash", "exec: sh -c 'echo hello; printf partial; exit 3'\nlog: file\n")
          .start();
      Path log = logDir.resolve("crash.log");
      Zinit.waitFor("a restart mark", Duration.ofSeconds(30), () -> read(log).contains("restarting in"));
      List<String> lines = Files.readAllLines(log);
      assertThat(lines.get(0)).matches(".*Z \\[\\+\\] zinit: crash: started, pid [1-9]\\d*");
      assertThat(lines).anyMatch(l -> l.endsWith(" [+] crash: hello"));
      assertThat(lines).anyMatch(l -> l.endsWith(" [+] crash: partial"));
      assertThat(lines).anyMatch(l -> l.matches(".*Z \\[\\+\\] zinit: crash: exited \\(exit code 3\\), restarting in \\d+ ms"));
      var ring = z.cli("log", "-s");
      assertThat(ring.stdout()).contains("[+] zinit: crash: started, pid").contains("[+] crash: partial\n");
      JsonNode status = z.call("service_status", "crash");
      assertThat(status.get("log_file").get("path").asText()).isEqualTo(log.toString());
      assertThat(status.get("log_file").get("lines_lost").asLong()).isZero();
      var yaml = z.cli("status", "crash");
      assertThat(yaml.stdout()).contains("lines_lost: 0");
    }
  }

  /**
   * A service name may have 250 bytes, but a file name only 255: the default log file of such a
   * name ({@code NAME.log}) can be created and its rotated one ({@code NAME.log.1}) cannot, so
   * log_size was never enforced (the file grew without bound, and every line logged "cannot
   * rotate"). zinit must say so when the file is loaded, not run a service whose bound cannot hold.
   */
  @Test
  void aLogFileWhoseRotatedNameIsTooLongIsRefusedWhenLoadedNotGrownPastLogSize() throws Exception {
    String name = "n".repeat(250); // the longest service name allowed
    try (Zinit z = new Zinit()) {
      Path logDir = z.file("varlog");
      z.initArgs("--log-dir", logDir.toString())
          .service(name, "exec: sh -c 'while :; do echo a-line-of-forty-bytes-or-so-xxxxxxxxxxx; sleep 0.02; done'\n"
              + "log: file\nlog_size: 300\nlog_keep: 2\n")
          .start();
      Thread.sleep(2000); // a running service writes some 4 KB meanwhile
      var status = z.cli("status", name);
      assertThat(status.exit()).as("status of the service: %s", status).isNotZero();
      assertThat(status.stderr()).as("the load error names the rotated file's name").contains("too long");
      try (Stream<Path> files = Files.exists(logDir) ? Files.list(logDir) : Stream.empty()) {
        for (Path f : files.toList()) assertThat(Files.size(f)).as("%s within log_size", f).isLessThanOrEqualTo(300);
      }
      assertThat(z.output()).doesNotContain("cannot rotate");
    }
  }

  @Test
  void eachRunsExitMarkComesAfterTheLinesItPrinted() throws Exception {
    // The exit is reported by the reaper, the last lines by the I/O thread, often after it: six
    // services that print and exit at once, in the ring and in their files.
    try (Zinit z = new Zinit()) {
      Path logDir = z.file("varlog");
      z.initArgs("--log-dir", logDir.toString());
      for (int i = 1; i <= 6; i++) {
        z.service("quick" + i, "exec: sh -c 'echo one; echo two; printf three; exit 2'\noneshot: true\n"
            + (i % 2 == 0 ? "log: file\n" : ""));
      }
      z.start();
      for (int i = 1; i <= 6; i++) z.awaitStateMatching("quick" + i, "Error.*");
      for (int i = 1; i <= 6; i++) {
        String name = "quick" + i;
        Zinit.waitFor(name + "'s exit mark", Duration.ofSeconds(10),
            () -> ring(z).contains("[+] zinit: " + name + ": exited"));
        List<String> ring = z.cli("log", "-s").stdout().lines()
            .filter(l -> l.startsWith("[+] zinit: " + name + ": ") || l.startsWith("[+] " + name + ": ") || l.startsWith("[-] " + name + ": "))
            .toList();
        assertThat(ring).as("%s in the ring", name).hasSize(5);
        assertThat(ring.get(0)).startsWith("[+] zinit: " + name + ": started, pid ");
        assertThat(ring.subList(1, 4)).containsExactly("[+] " + name + ": one", "[+] " + name + ": two", "[+] " + name + ": three");
        assertThat(ring.get(4)).isEqualTo("[+] zinit: " + name + ": exited (exit code 2), not restarted");
        if (i % 2 == 0) {
          List<String> file = Files.readAllLines(logDir.resolve(name + ".log")).stream()
              .map(l -> l.substring(l.indexOf(" [") + 1))
              .toList();
          assertThat(file).as("%s's file", name).hasSize(5);
          assertThat(file.get(0)).startsWith("[+] zinit: " + name + ": started, pid ");
          assertThat(file.get(3)).isEqualTo("[+] " + name + ": three");
          assertThat(file.get(4)).isEqualTo("[+] zinit: " + name + ": exited (exit code 2), not restarted");
        }
      }
    }
  }

  @Test
  void anUnterminatedLastLineComesBeforeTheExitMarkWhileAProcessKeepsThePipeOpen() throws Exception {
    // The oneshot's daemon keeps its stdout for 60 s: the mark waits a moment, not for it. And the
    // oneshot's last line has no newline: when the held mark finds the pipe empty, that line is the
    // instance's and goes before the mark (it was held in the line splitter until the pipe's end,
    // a minute after the mark).
    try (Zinit z = new Zinit()) {
      z.service("daemonizer", "exec: sh -c 'echo forking; sleep 60 & printf last'\noneshot: true\n").start();
      z.awaitState("daemonizer", "Success");
      Zinit.waitFor("the exit mark", Duration.ofSeconds(5),
          () -> ring(z).contains("[+] zinit: daemonizer: exited (exit code 0)"));
      List<String> ring = z.cli("log", "-s").stdout().lines()
          .filter(l -> l.startsWith("[+] zinit: daemonizer: ") || l.startsWith("[+] daemonizer: "))
          .toList();
      assertThat(ring).as("the ring").hasSize(4);
      assertThat(ring.subList(1, 4)).containsExactly(
          "[+] daemonizer: forking", "[+] daemonizer: last", "[+] zinit: daemonizer: exited (exit code 0), not restarted");
    }
  }

  @Test
  void forgetClosesTheServicesLogFileAndMonitorOpensItAgain() throws Exception {
    try (Zinit z = new Zinit()) {
      Path logDir = z.file("varlog");
      z.initArgs("--log-dir", logDir.toString())
          .service("job", "exec: sh -c 'echo run'\noneshot: true\nlog: file\n")
          .start();
      Path log = logDir.resolve("job.log");
      z.awaitState("job", "Success");
      Zinit.waitFor("the exit mark", Duration.ofSeconds(30), () -> read(log).contains("exited"));
      assertThat(FileLogTest.fdsOn(z.daemon.pid(), log)).as("open while the service is monitored").isEqualTo(1);
      assertThat(z.cli("stop", "job").exit()).isZero();
      assertThat(z.cli("forget", "job").exit()).isZero();
      assertThat(FileLogTest.fdsOn(z.daemon.pid(), log)).as("closed once the service is forgotten").isZero();
      assertThat(z.cli("monitor", "job").exit()).isZero();
      z.awaitState("job", "Success");
      Zinit.waitFor("the second run's line", Duration.ofSeconds(30),
          () -> read(log).lines().filter(l -> l.endsWith(" [+] job: run")).count() == 2);
    }
  }

  @Test
  void partialLineAndExitMarkAreWrittenWhenZinitShutsDown() throws Exception {
    Path outside = Files.createTempDirectory("zinit-filelog-");
    try {
      Path log = outside.resolve("tail.log");
      Zinit z = new Zinit();
      try (z) {
        z.service("tail", "exec: sh -c 'echo first; printf \"no newline\"; exec sleep 1000'\nlog: file\nlog_file: " + log + "\n")
            .start();
        z.awaitState("tail", "Running");
        Zinit.waitFor("the first line", Duration.ofSeconds(30), () -> read(log).contains("first"));
      } // shuts zinit down and waits for it to exit
      List<String> lines = Files.readAllLines(log);
      assertThat(lines).anyMatch(l -> l.endsWith(" [+] tail: no newline"));
      // the exit (reaped) and the end of the output (EOF) are separate events: either may come first
      assertThat(lines).anyMatch(l -> l.matches(".*Z \\[\\+\\] zinit: tail: exited \\(killed by SIGTERM\\), not restarted"));
      assertThat(Files.readString(log)).endsWith("\n");
    } finally {
      try (Stream<Path> files = Files.walk(outside)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void aStalledLogFileHoldsBackOnlyItsOwnService() throws Exception {
    try (Zinit z = new Zinit()) {
      // a FIFO nobody reads stands for a disk that does not answer
      Path fifo = z.file("stalled.log");
      Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
      assertThat(mk.waitFor()).isZero();
      z.service("stuck", "exec: sh -c 'while :; do echo \"stuck line\"; done'\nlog: file\nlog_file: " + fifo + "\n")
          .service("other", "exec: sh -c 'i=0; while :; do echo \"other $i\"; i=$((i+1)); sleep 0.05; done'\n")
          .start();
      z.awaitState("stuck", "Running");
      // the stuck service is held back by its pipe; everyone else's output keeps flowing
      Zinit.waitFor("other's lines while stuck's file stalls", Duration.ofSeconds(30), () -> {
        try {
          return z.cli("log", "-s", "other").stdout().contains("other 20");
        } catch (Exception e) {
          return false;
        }
      });
      var stop = z.cli("stop", "stuck");
      assertThat(stop.exit()).as(stop.stderr()).isZero();
      assertThat(z.state("stuck")).isNotEqualTo("Running");
    } // and zinit still shuts down (closing the stalled file gives up after a bound)
  }

  @Test
  void jsonLinesParseBackForTrickyBytes() throws Exception {
    try (Zinit z = new Zinit()) {
      Path script = z.file("tricky.sh");
      // bytes: invalid UTF-8 (\377), a control char, quotes, a backslash, a tab, a 4-byte emoji
      Files.writeString(script, "printf 'bad \\377 byte\\n'\nprintf '\\001 \"quoted\" back\\\\slash\\ttab\\n'\n"
          + "printf '\\360\\237\\230\\200 emoji\\n' >&2\nprintf 'end without newline'\n");
      Path log = z.file("json/tricky.log");
      z.service("tricky", "exec: /bin/sh " + script + "\noneshot: true\nlog: file\nlog_file: " + log + "\nlog_format: json\n")
          .start();
      Zinit.waitFor("the last line", Duration.ofSeconds(30), () -> read(log).contains("end without newline"));
      Zinit.waitFor("the exit mark", Duration.ofSeconds(30), () -> read(log).contains("exited"));
      ObjectMapper json = new ObjectMapper();
      List<JsonNode> entries = new ArrayList<>();
      for (String line : Files.readAllLines(log)) entries.add(json.readTree(line));
      List<String> msgs = entries.stream().filter(e -> !e.get("stream").asText().equals("zinit")).map(e -> e.get("msg").asText()).toList();
      assertThat(msgs).containsExactlyInAnyOrder(
          "bad \uFFFD byte", "\u0001 \"quoted\" back\\slash\ttab", "\uD83D\uDE00 emoji", "end without newline");
      assertThat(entries).allSatisfy(e -> {
        assertThat(e.get("service").asText()).isEqualTo("tricky");
        assertThat(e.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      });
      assertThat(entries).anyMatch(e -> e.get("stream").asText().equals("stderr") && e.get("msg").asText().endsWith("emoji"));
      assertThat(entries).anyMatch(e -> e.get("stream").asText().equals("zinit") && e.get("msg").asText().startsWith("started, pid "));
    }
  }

  @Test
  void fullDiskCountsLostLinesKeepsTheServiceAndWritesAMarkerWhenSpaceIsBack() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/mount")) || Files.isExecutable(Path.of("/bin/mount")), "needs mount");
    try (Zinit z = new Zinit()) {
      Path mnt = Files.createDirectory(z.file("small"));
      run("mount", "-t", "tmpfs", "-o", "size=256k", "zinit-filelog-it", mnt.toString());
      try {
        Path log = mnt.resolve("ticker.log");
        z.service("ticker", "exec: sh -c 'i=0; while :; do echo \"tick $i\"; i=$((i+1)); sleep 0.002; done'\n"
                + "log: file\nlog_file: " + log + "\n")
            .start();
        z.awaitState("ticker", "Running");
        Zinit.waitFor("first lines", Duration.ofSeconds(30), () -> read(log).contains("tick 10"));
        int pid = z.call("service_status", "ticker").get("pid").asInt();
        Path fill = mnt.resolve("fill");
        run("sh", "-c", "dd if=/dev/zero of=" + fill + " bs=4k 2>/dev/null; true");
        Zinit.waitFor("lost lines", Duration.ofSeconds(30), () -> lost(z) > 20);
        Files.delete(fill);
        // every loss is followed by a marker with its count once writing works again
        Zinit.waitFor("markers covering every lost line", Duration.ofSeconds(30), () -> {
          long lost = lost(z);
          long marked = markerSum(log);
          return lost > 0 && marked == lost;
        });
        JsonNode status = z.call("service_status", "ticker");
        assertThat(status.get("pid").asInt()).as("the service kept running").isEqualTo(pid);
        assertThat(status.get("state").asText()).isEqualTo("Running");
        assertThat(status.get("log_file").has("error")).isFalse();
        // the numbers missing from the file are exactly the lines counted as lost
        long lost = status.get("log_file").get("lines_lost").asLong();
        List<String> lines = Files.readAllLines(log);
        BitSet seen = new BitSet();
        boolean markerSeen = false;
        int firstAfterLastMarker = -1;
        for (String line : lines) {
          Matcher m = Pattern.compile(".* \\[\\+\\] ticker: tick (\\d+)").matcher(line);
          if (m.matches()) {
            int v = Integer.parseInt(m.group(1));
            seen.set(v);
            if (markerSeen) firstAfterLastMarker = v;
            markerSeen = false;
          }
          if (MARKER.matcher(line).matches()) markerSeen = true;
        }
        assertThat(firstAfterLastMarker).isPositive();
        assertThat(lines).filteredOn(l -> MARKER.matcher(l).matches()).allMatch(l -> l.endsWith("(No space left on device)"));
        long missingBeforeLastMarker = firstAfterLastMarker - seen.get(0, firstAfterLastMarker).cardinality();
        assertThat(missingBeforeLastMarker).isEqualTo(lost);
        var metrics = z.call("system_metrics").asText();
        assertThat(metrics).contains("zinit_log_lines_dropped_total{service=\"ticker\",sink=\"file\"} " + lost + "\n");
      } finally {
        z.cli("stop", "ticker");
        run("umount", "-l", mnt.toString());
      }
    }
  }

  private static long lost(Zinit z) {
    try {
      JsonNode f = z.call("service_status", "ticker").get("log_file");
      return f == null ? 0 : f.get("lines_lost").asLong();
    } catch (IOException e) {
      return 0;
    }
  }

  private static long markerSum(Path log) {
    long sum = 0;
    for (String line : read(log).split("\n")) {
      Matcher m = MARKER.matcher(line);
      if (m.matches()) sum += Long.parseLong(m.group(1));
    }
    return sum;
  }

  /** `zinit log -s` (zinit's marks included), or "" when the call fails (for waitFor). */
  private static String ring(Zinit z) {
    try {
      return z.cli("log", "-s").stdout();
    } catch (IOException | InterruptedException e) {
      return "";
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
  }

}
