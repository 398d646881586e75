package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 11, the service model v2, end to end through bin/zinit with real processes. */
class ServiceModelIT {
  @BeforeAll
  static void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  /** A command that appends a line to {@code marker} per run, then exits with code(run number). */
  private static String counting(Zinit z, String marker, String exitScript) {
    return "exec: sh -c 'echo run >> " + z.file(marker) + "; n=$(wc -l < " + z.file(marker)
        + "); " + exitScript + "'\n";
  }

  @Test
  void onFailureRestartsUntilTheServiceSucceedsThenLeavesItSuccess() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("job", counting(z, "job.runs", "[ $n -ge 3 ] && exit 0; exit 3")
          + "restart: on-failure\nrestart_delay: 0.1\n").start();
      z.awaitState("job", "Success");
      assertThat(lines(z, "job.runs")).isEqualTo(3);
      var status = z.cli("status", "job");
      assertThat(status.stdout()).contains("state: Success").contains("restarts: 2")
          .contains("restart: on-failure").doesNotContain("next_restart");
    }
  }

  @Test
  void neverLeavesAFailedServiceInErrorWithoutRestart() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("once", counting(z, "once.runs", "exit 3") + "restart: never\n")
          .service("always", counting(z, "always.runs", "exit 3") + "restart_delay: 0.1\n")
          .start();
      z.awaitStateMatching("once", "Error\\(Exited\\(Pid\\(\\d+\\), 3\\)\\)");
      // The sibling with the default policy restarts meanwhile: time passes, `once` stays put.
      Zinit.waitFor("always to restart 3 times", Duration.ofSeconds(30),
          () -> lines(z, "always.runs") >= 3);
      assertThat(lines(z, "once.runs")).isEqualTo(1);
      assertThat(z.call("service_status", "once").get("restarts").asInt()).isZero();
      assertThat(z.call("service_status", "once").get("restart").asText()).isEqualTo("never");
      assertThat(z.call("service_status", "always").has("restart")).isFalse();
    }
  }

  @Test
  void startLimitEndsInFailureWithReasonAndStartResetsIt() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("flappy", counting(z, "flappy.runs", "exit 1")
          + "restart_delay: 0\nstart_limit:\n  burst: 3\n  interval: 300\n").start();
      z.awaitState("flappy", "Failure");
      assertThat(lines(z, "flappy.runs")).isEqualTo(3);
      var status = z.cli("status", "flappy");
      assertThat(status.stdout()).contains("start limit reached, more than 3 starts within 300 s")
          .contains("start_limit: 3 starts in 300 s");
      assertThat(z.cli("start", "flappy").exit()).isZero();
      Zinit.waitFor("a new run after start", Duration.ofSeconds(30), () -> lines(z, "flappy.runs") >= 4);
      z.awaitState("flappy", "Failure");
      assertThat(lines(z, "flappy.runs")).isEqualTo(6);
    }
  }

  @Test
  void badRestartKeyIsReportedWithFileLineAndFieldAndOthersLoad() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("good", "exec: sleep 1000\n")
          .service("bad", "exec: sleep 1000\nrestart: sometimes\n").start();
      z.awaitState("good", "Running");
      assertThat(z.output()).contains("bad.yaml:2: field 'restart'").contains("sometimes");
    }
  }

  @Test
  void reloadAppliesEachKindOfChangeAndKeepsABrokenFilesServiceRunning() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("same", "exec: sleep 1001\n")
          .service("changed", "exec: sleep 1002\n")
          .service("gone", "exec: sleep 1003\n")
          .service("broken", "exec: sleep 1004\n")
          .start();
      for (String s : new String[] {"same", "changed", "gone", "broken"}) z.awaitState(s, "Running");
      long samePid = z.call("service_status", "same").get("pid").asLong();
      long changedPid = z.call("service_status", "changed").get("pid").asLong();
      long gonePid = z.call("service_status", "gone").get("pid").asLong();
      long brokenPid = z.call("service_status", "broken").get("pid").asLong();
      z.service("changed", "exec: sleep 1012\n")
          .service("broken", "exec: sleep 1004\nrestart: sometimes\n")
          .service("added", "exec: sleep 1005\n");
      java.nio.file.Files.delete(z.config.resolve("gone.yaml"));

      var r = z.cli("reload");

      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(r.stdout()).contains("added: added").contains("changed: changed")
          .contains("gone: removed").contains("same: unchanged").contains("broken: \"error: ")
          .contains("broken.yaml:2");
      assertThat(z.call("service_status", "same").get("pid").asLong()).isEqualTo(samePid);
      assertThat(z.call("service_status", "broken").get("pid").asLong()).isEqualTo(brokenPid);
      z.awaitState("changed", "Running");
      z.awaitState("added", "Running");
      long newPid = z.call("service_status", "changed").get("pid").asLong();
      assertThat(newPid).isNotEqualTo(changedPid);
      assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + newPid + "/cmdline")))
          .contains("1012");
      assertThat(Zinit.alive(changedPid)).isFalse();
      assertThat(Zinit.alive(gonePid)).isFalse();
      assertThat(z.rpc("service_status", "gone").at("/error/code").asInt()).isEqualTo(-32000);
    }
  }

  @Test
  void restartIsOneServerSideCallThatEndsTheOldInstanceFirst() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("web", "exec: sh -c 'echo $$ >> " + z.file("web.pids") + "; sleep 1000 & wait'\n")
          .start();
      z.awaitState("web", "Running");
      Zinit.waitFor("first pid", Duration.ofSeconds(30), () -> lines(z, "web.pids") == 1);
      long first = z.pidsIn("web.pids").getFirst();
      var r = z.cli("restart", "web");
      assertThat(r.exit()).as(r.stderr()).isZero();
      // service_restart returns once the new instance is spawned, the old one verified gone.
      assertThat(Zinit.alive(first)).isFalse();
      z.awaitState("web", "Running");
      Zinit.waitFor("second pid", Duration.ofSeconds(30), () -> lines(z, "web.pids") == 2);
      assertThat(z.call("service_restart", "web").isNull()).isTrue();
      assertThat(z.rpc("service_restart", "nope").at("/error/code").asInt()).isEqualTo(-32000);
    }
  }

  @Test
  void serviceAsNobodyRunsWithItsIdentityAndCannotLeaveItsCgroup() throws Exception {
    String mount = cgroup2Mount();
    try (Zinit z = new Zinit()) {
      z.service("guest", "exec: \"sh -c 'echo id=$(id -u):$(id -g) home=$HOME user=$USER logname=$LOGNAME;"
              + " cg=$(sed -n s/^0:://p /proc/self/cgroup);"
              + " (echo $$ > " + mount + "$cg/cgroup.procs) 2>/dev/null && echo own=written || echo own=denied;"
              + " (echo $$ > " + mount + "$cg/../cgroup.procs) 2>/dev/null && echo parent=written || echo parent=denied;"
              + " exec sleep 1000'\"\n"
              + "test: sh -c 'test $(id -u) = 65534'\n"
              + "user: nobody\n")
          .start();
      z.awaitState("guest", "Running"); // the test passed: it ran as nobody too
      Zinit.waitFor("the probe's lines", Duration.ofSeconds(30), () -> log(z).contains("parent="));
      String log = log(z);
      assertThat(log).contains("id=65534:65534 home=/nonexistent user=nobody logname=nobody")
          .contains("own=denied").contains("parent=denied");
      long pid = z.call("service_status", "guest").get("pid").asLong();
      assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/status")))
          .containsPattern("Uid:\\s+65534\\s+65534\\s+65534\\s+65534")
          .containsPattern("Groups:\\s+65534\\s*\\n");
      assertThat(z.cli("status", "guest").stdout()).contains("user: nobody (uid 65534 gid 65534)");
    }
  }

  @Test
  void aUserServicesLoaderVariablesReachOnlyItsProgramNotTheRootStepsBeforeIt() throws Exception {
    // env (or an env_file the service's user may edit) is meant for the program, which runs as
    // nobody; the trampoline's sh and setpriv run as root first, and the dynamic loader honours
    // LD_PRELOAD, LD_DEBUG_OUTPUT and the like in them: code or files of the user's choosing, as root
    java.nio.file.Path pub = java.nio.file.Files.createTempDirectory("zinit-ld");
    try (Zinit z = new Zinit()) {
      java.nio.file.Files.setPosixFilePermissions(pub, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
      z.service("guest", "exec: \"sh -c 'echo ld=$LD_DEBUG; exec sleep 1000'\"\n"
              + "user: nobody\nenv:\n  LD_DEBUG: files\n  LD_DEBUG_OUTPUT: " + pub.resolve("dbg") + "\n")
          .start();
      z.awaitState("guest", "Running");
      Zinit.waitFor("the program's line", Duration.ofSeconds(30), () -> log(z).contains("ld="));
      assertThat(log(z)).contains("ld=files");
      java.util.Map<java.nio.file.Path, Object> owners = new java.util.TreeMap<>();
      try (var files = java.nio.file.Files.list(pub)) {
        for (java.nio.file.Path f : files.toList()) owners.put(f.getFileName(), java.nio.file.Files.getAttribute(f, "unix:uid"));
      }
      assertThat(owners).as("loader debug files and their owners").isNotEmpty().allSatisfy((f, uid) -> assertThat(uid).isEqualTo(65534));
    } finally {
      try (var files = java.nio.file.Files.walk(pub)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void withoutALocaleAsPid1GetsItANonAsciiServiceNameStillLoadsAndItsServicesSeeNoAddedLocale() throws Exception {
    // The kernel starts init with no LANG: the JVM then decodes file names as ASCII, and a
    // service file named café.yaml made zinit die at boot (InvalidPathException)
    try (Zinit z = new Zinit()) {
      z.wrappedIn("env", "-u", "LANG", "-u", "LC_ALL", "-u", "LC_CTYPE")
          .service("café", "exec: sh -c 'echo lc_all=${LC_ALL-unset} added=${ZINIT_LC_ALL_ADDED-unset} launcher=${ZINIT_LAUNCHER-unset}; exec sleep 1000'\n")
          .start();
      z.awaitState("café", "Running");
      Zinit.waitFor("the service's line", Duration.ofSeconds(30), () -> log(z).contains("lc_all="));
      assertThat(log(z)).contains("café: lc_all=unset added=unset launcher=unset");
      // from a checkout, the hint names the checkout's launcher, as the user ran it
      assertThat(z.output()).contains("; try: " + Zinit.LAUNCHER + " -s " + z.socket + " list");
      assertThat(z.cli("status", "café").stdout()).contains("name: café");
    }
  }

  @Test
  void envFileFromTheConfigDirIsUnderEnvAndABrokenOneIsReported() throws Exception {
    try (Zinit z = new Zinit()) {
      java.nio.file.Files.writeString(z.config.resolve("app.env"),
          "# app settings\nexport GREETING='hello world'\nWHO=file\n");
      java.nio.file.Files.writeString(z.config.resolve("bad.env"), "GOOD=1\nthis is not a line\n");
      z.service("app", "exec: sh -c 'echo \"$GREETING from $WHO\"; exec sleep 1000'\n"
              + "env_file: app.env\nenv:\n  WHO: env\n")
          .service("bad", "exec: sleep 1000\nenv_file: bad.env\n")
          .start();
      z.awaitState("app", "Running");
      Zinit.waitFor("the greeting", Duration.ofSeconds(30), () -> log(z).contains("hello world from env"));
      assertThat(z.output()).contains("bad.yaml:2: field 'env_file'").contains("bad.env:2: not a KEY=VALUE line");
      assertThat(z.call("service_get", "app").get("env_file").asText()).isEqualTo("app.env");
    }
  }

  @Test
  void failingExecHealthCheckRestartsTheServiceAndStatusSaysWhy() throws Exception {
    try (Zinit z = new Zinit()) {
      java.nio.file.Path ok = z.file("healthy");
      java.nio.file.Files.writeString(ok, "");
      z.service("app", "exec: sh -c 'echo $$ >> " + z.file("app.pids") + "; exec sleep 1000'\n"
              + "health:\n  exec: sh -c 'test -f " + ok + " || { echo no marker file; exit 1; }'\n"
              + "  interval: 0.2\n  retries: 2\n")
          .start();
      z.awaitState("app", "Running");
      awaitHealth(z, "app", "ok");
      java.nio.file.Files.delete(ok);
      Zinit.waitFor("a restart", Duration.ofSeconds(30), () -> lines(z, "app.pids") >= 2);
      String health = z.call("service_status", "app").get("health").asText();
      assertThat(health).isEqualTo("failing (2/2): exit code 1: no marker file");
      // The log is written when the check ends; its output line may still be on its way then.
      assertThat(z.output()).contains("app: health check failed 2 times: exit code 1");
      // The new run fails its checks too while the marker is missing.
      assertThat(z.cli("status", "app").stdout())
          .containsPattern("health: \"failing \\([12]/2\\): exit code 1: no marker file\"");
      java.nio.file.Files.writeString(ok, "");
      awaitHealth(z, "app", "ok");
      assertThat(log(z)).contains("[+] app/health: no marker file");
    }
  }

  @Test
  void httpHealthCheckAgainstATinyServerRestartsOnErrors() throws Exception {
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    java.util.concurrent.atomic.AtomicInteger code = new java.util.concurrent.atomic.AtomicInteger(200);
    server.createContext("/health", ex -> {
      ex.sendResponseHeaders(code.get(), -1);
      ex.close();
    });
    server.start();
    try (Zinit z = new Zinit()) {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
      z.service("web", "exec: sh -c 'echo $$ >> " + z.file("web.pids") + "; exec sleep 1000'\n"
              + "restart_delay: 0.1\nhealth:\n  http: " + url + "\n  interval: 0.2\n  retries: 2\n")
          .start();
      awaitHealth(z, "web", "ok");
      code.set(503);
      Zinit.waitFor("a restart", Duration.ofSeconds(30), () -> lines(z, "web.pids") >= 2);
      assertThat(z.call("service_status", "web").get("health").asText())
          .startsWith("failing (2/2): HTTP 503 from " + url);
      code.set(200);
      awaitHealth(z, "web", "ok");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void httpHealthCheckIsBoundedByItsTimeoutAgainstAServerThatTricklesAnEndlessBody() throws Exception {
    // headers at once, then a 1 GB body at a byte a second: the check waited for the whole body,
    // so it never ended and the service's health was never judged again (nor its connection closed)
    java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    java.util.List<java.net.Socket> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread acceptor = Thread.ofVirtual().start(() -> {
      try {
        while (true) {
          java.net.Socket c = listener.accept();
          clients.add(c);
          Thread.ofVirtual().start(() -> {
            try (c) {
              c.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n".getBytes());
              while (true) {
                c.getOutputStream().write('x');
                Thread.sleep(1000);
              }
            } catch (java.io.IOException | InterruptedException gone) {
              // zinit closed it, or the test ended
            }
          });
        }
      } catch (java.io.IOException closed) {
        // the test closed the listener
      }
    });
    try (Zinit z = new Zinit()) {
      String url = "http://127.0.0.1:" + listener.getLocalPort() + "/health";
      z.service("web", "exec: sleep 1000\nhealth:\n  http: " + url + "\n  interval: 0.2\n  timeout: 1\n").start();
      awaitHealth(z, "web", "ok");
      Zinit.waitFor("several checks", Duration.ofSeconds(30), () -> clients.size() >= 3);
      Zinit.waitFor("their connections closed", Duration.ofSeconds(30),
          () -> clients.stream().limit(clients.size() - 1).allMatch(ServiceModelIT::peerClosed));
    } finally {
      listener.close();
      for (java.net.Socket c : clients) c.close();
      acceptor.join();
    }
  }

  /** True once the peer of {@code c} closed (a read sees the end or a reset). */
  private static boolean peerClosed(java.net.Socket c) {
    try {
      c.setSoTimeout(1);
      while (true) if (c.getInputStream().read() < 0) return true;
    } catch (java.net.SocketTimeoutException open) {
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  @Test
  void execHealthCheckThatLeavesADaemonBehindIsStillJudgedAndTheDaemonStopped() throws Exception {
    // the check's sh exits 0 at once but leaves a sleep in its cgroup: its timeout only looked at
    // the sh, so the check never ended and the service stayed 'starting' for ever
    try (Zinit z = new Zinit()) {
      z.service("app", "exec: sleep 1000\nhealth:\n  exec: sh -c 'sleep 500 </dev/null >/dev/null 2>&1 & echo $! >> "
              + z.file("left.pids") + "'\n  interval: 0.2\n  timeout: 1\n")
          .start();
      awaitHealth(z, "app", "ok");
      Zinit.waitFor("a second check", Duration.ofSeconds(30), () -> lines(z, "left.pids") >= 2);
      long first = Long.parseLong(java.nio.file.Files.readAllLines(z.file("left.pids")).getFirst().strip());
      Zinit.waitFor("the first check's sleep gone", Duration.ofSeconds(30),
          () -> ProcessHandle.of(first).map(p -> !p.isAlive()).orElse(true));
    }
  }

  @Test
  void tcpHealthCheckFailsOnceNothingListens() throws Exception {
    java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    int port = listener.getLocalPort();
    Thread acceptor = Thread.ofVirtual().start(() -> {
      try {
        while (true) listener.accept().close();
      } catch (java.io.IOException closed) {
        // the test closed the listener
      }
    });
    try (Zinit z = new Zinit()) {
      z.service("db", "exec: sh -c 'echo $$ >> " + z.file("db.pids") + "; exec sleep 1000'\n"
              + "restart: on-failure\nrestart_delay: 0.1\nhealth:\n  tcp: 127.0.0.1:" + port
              + "\n  interval: 0.2\n  retries: 2\n")
          .start();
      awaitHealth(z, "db", "ok");
      listener.close();
      Zinit.waitFor("a restart", Duration.ofSeconds(30), () -> lines(z, "db.pids") >= 2);
      assertThat(z.call("service_status", "db").get("health").asText()).startsWith("failing (2/2): ");
    } finally {
      listener.close();
      acceptor.join();
    }
  }

  private static void awaitHealth(Zinit z, String service, String health) {
    Zinit.waitFor(service + " health " + health, Duration.ofSeconds(30), () -> {
      try {
        var st = z.call("service_status", service);
        return st.has("health") && st.get("health").asText().equals(health);
      } catch (java.io.IOException e) {
        return false;
      }
    });
  }

  @Test
  void memoryHogIsKilledByItsLimitAndReportedAsOom() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("hog", "exec: sh -c 'head -c 2000000000 /dev/zero | tail'\nrestart: never\n"
              + "limits:\n  memory: 32M\n")
          .start();
      z.awaitStateMatching("hog", "Error.*");
      var st = z.call("service_status", "hog");
      assertThat(st.get("detail").asText()).isEqualTo("killed by the OOM killer (memory limit 32M)");
      assertThat(st.get("oom_kills").asLong()).isPositive();
      assertThat(st.get("limits").asText()).isEqualTo("memory=32M");
      assertThat(z.output()).contains("hog: killed by the OOM killer (memory limit 32M)");
      assertThat(z.call("system_metrics").asText())
          .containsPattern("(?m)^zinit_service_oom_kills_total\\{service=\"hog\"\\} [1-9]");
      Zinit.waitFor("the unit's v1 memory cgroup removed", Duration.ofSeconds(30),
          () -> unitDirs(z, "memory", "hog").isEmpty());
    }
  }

  @Test
  void pidsLimitStopsAForkBombAndNofileIsSeenByTheService() throws Exception {
    try (Zinit z = new Zinit()) {
      // The inner shell forks until the limit stops it (dash gives up at the first failed fork).
      z.service("bomb", "exec: sh -c 'echo nofile=$(ulimit -n); sh -c \"i=0; while [ \\$i -lt 40 ]; do"
              + " sleep 1000 & i=\\$((i+1)); done\"; echo tried; exec sleep 1000'\n"
              + "limits:\n  pids: 10\n  nofile: 777\n")
          .start();
      z.awaitState("bomb", "Running");
      Zinit.waitFor("the loop to end", Duration.ofSeconds(30), () -> log(z).contains("bomb: tried"));
      String log = log(z);
      assertThat(log).contains("[+] bomb: nofile=777").containsPattern("\\[-\\] bomb: .*(fork|Resource temporarily unavailable)");
      long pid = z.call("service_status", "bomb").get("pid").asLong();
      var stats = z.call("service_stats", "bomb");
      assertThat(stats.get("children").size()).isLessThan(10);
      assertThat(stats.at("/cgroup/pids_current").asInt()).isBetween(2, 10);
      assertThat(stats.at("/cgroup/limits").asText()).isEqualTo("pids=10 nofile=777");
      assertThat(z.cli("stats", "bomb").stdout()).contains("cgroup:").contains("pids_current:");
      assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/limits")))
          .containsPattern("Max open files\\s+777\\s+777");
      assertThat(unitDirs(z, "pids", "bomb")).hasSize(1);
      assertThat(z.cli("stop", "bomb").exit()).isZero();
      // The reply comes once every process is gone; the unit's cgroups are removed right after it.
      Zinit.waitFor("the unit's pids cgroup removed", Duration.ofSeconds(5), () -> unitDirs(z, "pids", "bomb").isEmpty());
    }
  }

  /** The v1 cgroups of this zinit's units of {@code service} in the {@code controller} hierarchy. */
  private static java.util.List<java.nio.file.Path> unitDirs(Zinit z, String controller, String service) {
    try {
      String own = null;
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + z.daemon.pid() + "/cgroup"))) {
        String[] f = line.split(":", 3);
        if (java.util.List.of(f[1].split(",")).contains(controller)) own = f[2];
      }
      java.nio.file.Path dir = java.nio.file.Path.of("/sys/fs/cgroup/" + controller + own);
      java.util.List<java.nio.file.Path> out = new java.util.ArrayList<>();
      try (var bases = java.nio.file.Files.newDirectoryStream(dir, "zinit-*-" + z.daemon.pid() + "*")) {
        for (var base : bases) {
          try (var units = java.nio.file.Files.newDirectoryStream(base, service + "-*")) {
            units.forEach(out::add);
          }
        }
      }
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void containerMainServiceExitCodeBecomesZinitsAndEverythingElseIsStopped() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("side", "exec: sh -c 'echo $$ >> " + z.file("side.pids") + "; exec sleep 1000'\n")
          .service("app", "exec: sh -c 'while [ ! -f " + z.file("go") + " ]; do sleep 0.05; done; exit 3'\n")
          .initArgs("--main", "app")
          .start();
      z.awaitState("side", "Running");
      Zinit.waitFor("side's pid", Duration.ofSeconds(30), () -> lines(z, "side.pids") == 1);
      long side = z.pidsIn("side.pids").getFirst();
      java.nio.file.Files.writeString(z.file("go"), "");
      assertThat(z.daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(z.daemon.exitValue()).as(z.output()).isEqualTo(3);
      assertThat(Zinit.alive(side)).isFalse();
      assertThat(z.output()).contains("app: main service exited (exit code 3), shutting down");
    }
  }

  @Test
  void containerMainServiceKilledBySignalGives128PlusSignal() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("app", "exec: sleep 1000\n").initArgs("--main", "app").start();
      z.awaitState("app", "Running");
      long pid = z.call("service_status", "app").get("pid").asLong();
      ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL from outside zinit
      assertThat(z.daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(z.daemon.exitValue()).as(z.output()).isEqualTo(128 + 9);
    }
  }

  @Test
  void mainServiceStoppedThroughZinitDoesNotEndTheContainerAndCleanShutdownExitsZero() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("app", "exec: sleep 1000\n").initArgs("--main", "app").start();
      z.awaitState("app", "Running");
      assertThat(z.cli("stop", "app").exit()).isZero();
      assertThat(z.daemon.isAlive()).isTrue();
      assertThat(z.cli("status", "app").exit()).isZero();
      z.cli("shutdown");
      assertThat(z.daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(z.daemon.exitValue()).as(z.output()).isZero();
    }
  }

  @Test
  void mainServiceThatDoesNotExistIsRefusedAtStart() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("app", "exec: sleep 1000\n");
      var r = z.cli("init", "-c", z.config.toString(), "--container", "--main", "nope");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.stderr()).contains("--main nope: no such service");
      r = z.cli("init", "-c", z.config.toString(), "--main", "app");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.stderr()).contains("--main needs --container");
    }
  }

  @Test
  void withoutCgroupsLimitsAreAWarningButNofileAndUserStillApply() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("u", "exec: sh -c 'echo \"uid=$(id -u) nofile=$(ulimit -n)\"; exec sleep 1000'\n"
              + "user: nobody\nlimits:\n  nofile: 555\n  memory: 64M\n")
          .initArgs("--no-cgroups")
          .start();
      z.awaitState("u", "Running");
      Zinit.waitFor("the probe line", Duration.ofSeconds(30), () -> log(z).contains("u: uid="));
      assertThat(log(z)).contains("[+] u: uid=65534 nofile=555");
      assertThat(z.output()).contains("u: limits need cgroups, which are off here: memory, cpu and pids not applied");
    }
  }

  private static String log(Zinit z) {
    try {
      return z.cli("log", "-s").stdout();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Where cgroup2 is mounted, from /proc/self/mountinfo. */
  static String cgroup2Mount() throws java.io.IOException {
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo"))) {
      String[] halves = line.split(" - ");
      if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) return halves[0].split(" ")[4];
    }
    throw new AssertionError("no cgroup2 mount");
  }

  static int lines(Zinit z, String marker) {
    try {
      var f = z.file(marker);
      return java.nio.file.Files.exists(f) ? java.nio.file.Files.readAllLines(f).size() : 0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
