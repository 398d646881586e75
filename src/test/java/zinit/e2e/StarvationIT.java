package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Issue 12 end to end: a hostile world cannot starve zinit of fds, CPU or heap. */
class StarvationIT {
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

  @Test
  void slowHeaderFloodAsNobodyCannotStarveAZinitUnderALowFdLimit() throws Exception {
    assumeTrue(Privileges.root(), "needs root (to run zinit as daemon and the attacker as nobody)");
    assumeTrue(Files.isExecutable(SETPRIV) && Files.isExecutable(PRLIMIT), "needs setpriv and prlimit (util-linux)");
    try (Zinit z = new Zinit()) {
      // zinit as an ordinary user, so it cannot raise its hard limit of 256 fds
      z.service("crasher", "exec: sh -c 'sleep 1; exit 1'\n")
          .wrappedIn(PRLIMIT.toString(), "--nofile=256:256", SETPRIV.toString(), "--reuid=daemon", "--regid=daemon",
              "--clear-groups", "env", "ZINIT_AOT=0", "HOME=" + z.dir);
      chownTree(z.dir, "daemon");
      z.start();
      long pid = z.daemon.pid();
      assertThat(Files.readString(Path.of("/proc/" + pid + "/limits"))).containsPattern("Max open files\\s+256\\s+256");
      String started = z.call("system_start_http_server", "127.0.0.1:0").asText();
      int port = Integer.parseInt(started.replaceAll("^HTTP server started at 127\\.0\\.0\\.1:(\\d+) .*$", "$1"));
      String token = Files.readString(Path.of(z.socket + ".token")).strip();
      z.awaitStateMatching("crasher", "Error|Running|Spawned");
      int restartsBefore = z.call("service_status", "crasher").get("restarts").asInt();
      long cpuBefore = cpuTicks(pid);
      long logBefore = Files.size(z.output);
      long wallBefore = System.nanoTime();
      long bestMillis = -1;

      Process attack =
          new ProcessBuilder(SETPRIV.toString(), "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp", Path.of("target/test-classes").toAbsolutePath().toString(),
                  SlowClients.class.getName(), "127.0.0.1", String.valueOf(port), "1500", "15")
              .redirectErrorStream(true)
              .redirectOutput(z.file("attack.out").toFile())
              .start();
      try {
        Zinit.waitFor("the attack to fill the HTTP server", Duration.ofSeconds(60), () -> fds(pid) > 40 || !attack.isAlive());
        Thread.sleep(3000);
        // zinit answers root on its socket within a second while the attack runs (best of three,
        // so one GC pause on a loaded machine does not decide)
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
          long t0 = System.nanoTime();
          assertThat(z.call("service_list").has("crasher")).isTrue();
          best = Math.min(best, System.nanoTime() - t0);
        }
        assertThat(Duration.ofNanos(best)).isLessThan(Duration.ofSeconds(1));
        bestMillis = best / 1_000_000;
        assertThat(fds(pid)).as("zinit's open fds during the attack (limit 256)").isLessThan(200);
        assertThat(attack.waitFor(120, TimeUnit.SECONDS)).as("the attacker ends").isTrue();
      } finally {
        attack.destroyForcibly();
        attack.waitFor(30, TimeUnit.SECONDS);
      }
      double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;
      double cpuSeconds = (cpuTicks(pid) - cpuBefore) / 100.0;
      String attackReport = Files.readString(z.file("attack.out"));
      assertThat(attackReport).as("the attacker's report").contains("connected");
      System.out.printf("slow-header attack: %s; zinit CPU %.2f s over %.1f s, log +%d bytes, best list %d ms%n",
          attackReport.strip(), cpuSeconds, wallSeconds, Files.size(z.output) - logBefore, bestMillis);
      assertThat(cpuSeconds).as("zinit's CPU seconds over %.1f s of attack (%s)", wallSeconds, attackReport).isLessThan(wallSeconds / 2);
      assertThat(Files.size(z.output) - logBefore).as("zinit's log growth during the attack").isLessThan(64 * 1024);

      HttpResponse<String> ok = tokenedRequest(port, token);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("crasher");
      Zinit.waitFor("the crashing service to be restarted again", Duration.ofSeconds(90), () -> {
        try {
          return z.call("service_status", "crasher").get("restarts").asInt() > restartsBefore;
        } catch (IOException e) {
          return false;
        }
      });
      assertThat(z.cli("list").exit()).isZero();
    }
  }

  @Test
  void servicesTakingEveryFdLeaveRootAnAnswerAndFailedSpawnsAreRetried() throws Exception {
    assumeTrue(Privileges.root(), "needs root (to run zinit as daemon under a hard fd limit)");
    assumeTrue(Files.isExecutable(SETPRIV) && Files.isExecutable(PRLIMIT), "needs setpriv and prlimit (util-linux)");
    try (Zinit z = new Zinit()) {
      // each running service holds three of zinit's fds (pidfd, stdout and stderr pipes): 40 of
      // them need more than the 128 zinit may open
      // a duration no other test uses, so leftovers are recognisably this run's
      String tag = "1000." + (100_000 + new java.util.Random().nextInt(900_000));
      for (int i = 1; i <= 40; i++) z.service(String.format("s%02d", i), "exec: sleep " + tag + "\n");
      z.wrappedIn(PRLIMIT.toString(), "--nofile=128:128", SETPRIV.toString(), "--reuid=daemon", "--regid=daemon",
          "--clear-groups", "env", "ZINIT_AOT=0", "HOME=" + z.dir);
      chownTree(z.dir, "daemon");
      try {
        z.start();
        servicesTakingEveryFd(z);
      } finally {
        // without cgroups a stop needs /proc, which needs fds: should zinit fail, leave nothing
        killLeftovers(tag);
      }
    }
  }

  private static void servicesTakingEveryFd(Zinit z) throws Exception {
    {
      JsonNode list = z.call("service_list");
      List<String> failed = new ArrayList<>();
      list.fields().forEachRemaining(e -> {
        if (e.getValue().asText().equals("Failure")) failed.add(e.getKey());
      });
      assertThat(failed).as("services that could not be spawned for lack of fds: %s", list).isNotEmpty();
      JsonNode status = z.call("service_status", failed.getFirst());
      assertThat(status.get("detail").asText()).contains("EMFILE").contains("retrying in").doesNotContain("listing");

      // free fds: the failed ones come up on their next retry
      List<String> running = new ArrayList<>();
      list.fields().forEachRemaining(e -> {
        if (e.getValue().asText().equals("Running")) running.add(e.getKey());
      });
      for (String name : running.subList(0, Math.min(running.size(), failed.size() + 5))) {
        assertThat(z.rpc("service_stop", name).has("error")).isFalse();
      }
      Zinit.waitFor("the failed spawns to be retried", Duration.ofSeconds(150), () -> {
        try {
          for (String name : failed) if (!z.state(name).equals("Running")) return false;
          return true;
        } catch (IOException e) {
          return false;
        }
      });
      assertThat(z.cli("list").exit()).isZero();
    }
  }

  /** Kills the processes whose arguments hold {@code tag}: only what this test started. */
  private static void killLeftovers(String tag) {
    ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(args -> Arrays.asList(args).contains(tag)).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  @Test
  void batchBombAndThreeHundredHalfSentRequestsLeaveZinitsHeapBounded() throws Exception {
    Privileges.assumeRootWithCgroups();
    try (Zinit z = new Zinit()) {
      z.service("steady", "exec: sleep 1000\n").start();
      z.awaitState("steady", "Running");
      long pid = z.daemon.pid();
      long rssBefore = rssKb(pid);

      StringBuilder batch = new StringBuilder("[");
      for (int i = 0; i < 19_000; i++) {
        if (i > 0) batch.append(',');
        batch.append("{\"jsonrpc\":\"2.0\",\"id\":").append(i).append(",\"method\":\"rpc.discover\"}");
      }
      JsonNode bomb = new com.fasterxml.jackson.databind.ObjectMapper().readTree(exchange(z.socket, (batch + "]\n").getBytes()));
      assertThat(bomb.at("/error/code").asInt()).as("the batch bomb's reply: %s", bomb).isEqualTo(-32600);

      byte[] half = new byte[(1 << 20) - 100];
      Arrays.fill(half, (byte) 'x');
      byte[] start = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"".getBytes();
      System.arraycopy(start, 0, half, 0, start.length);
      List<SocketChannel> held = new ArrayList<>();
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      long peakKb = 0;
      try {
        List<Future<?>> sends = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
          ch.connect(UnixDomainSocketAddress.of(z.socket));
          held.add(ch);
          sends.add(pool.submit(() -> {
            try {
              ch.write(ByteBuffer.wrap(half));
            } catch (IOException refused) {
              // zinit told this one it is busy and closed it
            }
            return null;
          }));
        }
        for (Future<?> f : sends) {
          f.get(120, TimeUnit.SECONDS);
          peakKb = Math.max(peakKb, rssKb(pid));
        }
        // with all of them holding what zinit let them, zinit still serves
        assertThat(z.call("service_list").get("steady").asText()).isEqualTo("Running");
        peakKb = Math.max(peakKb, rssKb(pid));
      } finally {
        pool.shutdownNow();
        for (SocketChannel ch : held) ch.close();
      }
      System.out.printf("heap bombs: RSS %d kB before, peak %d kB%n", rssBefore, peakKb);
      // the heap is capped at 256 MB by the launcher; before issue 12, RSS grew from 69 to 323 MB
      assertThat(peakKb - rssBefore).as("RSS growth in kB (before: %d kB)", rssBefore).isLessThan(160 * 1024);
      assertThat(z.cli("list").stdout()).contains("steady: Running");
    }
  }

  private static String exchange(Path socket, byte[] request) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap(request));
      ByteBuffer buf = ByteBuffer.allocate(4 << 20);
      while (ch.read(buf) >= 0) {
        if (buf.position() > 0 && buf.get(buf.position() - 1) == '\n') break;
      }
      return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }
  }

  private static HttpResponse<String> tokenedRequest(int port, String token) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}"))
            .build();
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        // 503 while the attacker's last connections are still being closed
        if (r.statusCode() != 503 || System.nanoTime() > end) return r;
      } catch (IOException refusedWhileFull) {
        if (System.nanoTime() > end) throw refusedWhileFull;
      }
      Thread.sleep(100);
    }
  }

  private static void chownTree(Path dir, String user) throws IOException {
    var owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) Files.setOwner(p, owner);
    }
  }

  private static long fds(long pid) {
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
    throw new IOException("no VmRSS for " + pid);
  }
}
