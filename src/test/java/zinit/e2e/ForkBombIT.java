package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A service that forks until the process limit it shares with zinit is reached (a container's
 * pids limit, RLIMIT_NPROC) and stays there: zinit must still answer its socket and shut down.
 */
class ForkBombIT {
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  /** A user no other test runs as: RLIMIT_NPROC counts every task of it. */
  private static final String USER = "irc";
  private static final int NPROC = 60;

  /**
   * @param by how zinit is told to shut down once every slot is taken: over its socket, or by
   *     SIGTERM (`docker stop`), which the JDK's handlers lost then (they need a thread made when
   *     the signal comes); zinit's own signal thread, made at start, takes it
   */
  @ParameterizedTest(name = "shutdown by {0}")
  @ValueSource(strings = {"socket", "SIGTERM"})
  @Timeout(180)
  void aServiceThatTakesEveryProcessSlotLeavesZinitAnsweringAndAbleToShutDown(String by) throws Exception {
    // Virtual threads need carrier threads, and the JDK ends idle carriers after 30 s: once the
    // bomb held every slot, no carrier could be made again, so the socket's accept loop (a virtual
    // thread) never ran: `zinit list` and `zinit shutdown` hung for ever.
    assumeTrue(Privileges.root(), "needs root (to run zinit as " + USER + ")");
    assumeTrue(Files.isExecutable(SETPRIV) && Files.isExecutable(PRLIMIT) && Files.isExecutable(PYTHON),
        "needs setpriv, prlimit (util-linux) and python3");
    Zinit z = new Zinit();
    try {
      Path bomb = z.file("bomb.py");
      Files.writeString(bomb, """
          import os, time
          full = False
          while True:
              try:
                  if os.fork() == 0:
                      time.sleep(1000)
                      os._exit(0)
              except OSError:
                  if not full:
                      open(os.environ["FULL"], "w").close()
                      full = True
                  time.sleep(0.05)
          """);
      z.service("bomb", "exec: " + PYTHON + " " + bomb + "\nenv:\n  FULL: " + z.file("full") + "\nshutdown_timeout: 2\n")
          .wrappedIn(PRLIMIT.toString(), "--nproc=" + NPROC + ":" + NPROC,
              SETPRIV.toString(), "--reuid=" + USER, "--regid=" + USER, "--clear-groups", "env", "HOME=" + z.dir);
      chownTree(z.dir, USER);
      try {
        z.start();
      } catch (java.net.SocketException reset) {
        System.out.println("first call reset: " + reset + "; zinit's output so far:\n" + z.output());
        // The bomb can take the last slots while zinit answers its first client, which is then
        // reset (some runs, mostly on a loaded machine; cause not found, README). Not what this
        // test is about: zinit must answer once the slots are all taken, below.
        Zinit.waitFor("zinit to answer after a reset", Duration.ofSeconds(30), () -> {
          try {
            z.call("service_list");
            return true;
          } catch (IOException e) {
            return false;
          }
        });
      }
      Zinit.waitFor("every process slot taken", Duration.ofSeconds(60), () -> Files.exists(z.file("full")));
      long zinit = z.daemon.pid();
      Zinit.waitFor("the JDK to end zinit's idle carrier threads", Duration.ofSeconds(90), () -> !hasCarrier(zinit));

      var list = CompletableFuture.supplyAsync(() -> {
        try {
          return z.call("service_list");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try {
        assertThat(list.get(30, TimeUnit.SECONDS).has("bomb")).isTrue();
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        throw new AssertionError("no answer once the slots were taken: " + e + "; zinit's output:\n" + z.output(), e);
      }
      if (by.equals("SIGTERM")) {
        assertThat(HardeningIT.statusBits(zinit, "SigBlk") & (1L << 14)).as("the launcher blocked SIGTERM (GNU env)").isNotZero();
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(zinit)).start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } else {
        var shutdown = CompletableFuture.runAsync(() -> {
          try {
            z.rpc("system_shutdown");
          } catch (IOException e) {
            // the connection may close as zinit exits
          }
        });
        shutdown.get(60, TimeUnit.SECONDS);
      }
      assertThat(z.daemon.waitFor(60, TimeUnit.SECONDS)).as("zinit exited; its output:\n%s", z.output()).isTrue();
      if (by.equals("SIGTERM")) assertThat(z.output()).contains("SIGTERM received: shutting down").contains("shutdown complete");
    } finally {
      if (z.daemon != null && z.daemon.isAlive()) {
        z.daemon.destroyForcibly();
        z.daemon.waitFor();
      }
      killAllOf(USER);
      z.close();
    }
  }

  private static boolean hasCarrier(long pid) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      return tasks.anyMatch(t -> {
        try {
          return Files.readString(t.resolve("comm")).startsWith("ForkJoinPool");
        } catch (IOException e) {
          return false;
        }
      });
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGKILL, by pid, to every process of {@code user} (which only this test runs as), until none is left. */
  private static void killAllOf(String user) throws Exception {
    int uid = Integer.parseInt(new String(new ProcessBuilder("id", "-u", user).start().getInputStream().readAllBytes()).strip());
    for (int round = 0; round < 50; round++) {
      boolean any = false;
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path p : procs.toList()) {
          if (!p.getFileName().toString().matches("\\d+")) continue;
          try {
            if ((Integer) Files.getAttribute(p, "unix:uid") != uid) continue;
          } catch (IOException gone) {
            continue;
          }
          any = true;
          ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      if (!any) return;
      Thread.sleep(100);
    }
  }

  private static void chownTree(Path dir, String user) throws IOException {
    var owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) Files.setOwner(p, owner);
    }
  }
}
