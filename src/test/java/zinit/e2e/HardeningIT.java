package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 12 item 8: what an operator sees when something is off, and stopping zinit from a script. */
class HardeningIT {
  @Test
  void statusAndStartOfAFileThatFailedToLoadNameItsErrorAndAHint() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("good", "exec: sleep 1000\n")
          .service("broken", "exec: sleep 1000\nsignal:\n  stop: SIGNOPE\n")
          .start();
      z.awaitState("good", "Running");
      for (String command : new String[] {"status", "start"}) {
        var r = z.cli(command, "broken");
        assertThat(r.exit()).isEqualTo(1);
        String[] lines = r.stderr().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("service 'broken' not found: its file failed to load:").contains("broken.yaml:3").contains("SIGNOPE");
        assertThat(lines[1]).isEqualTo("hint: fix the service file, then load it with 'zinit monitor broken'");
      }
    }
  }

  /**
   * A service prints whatever it likes, also terminal escapes (a title, a cleared screen, OSC 52
   * writing the clipboard). `zinit log` on the operator's terminal must show them, not obey them;
   * through a pipe the bytes stay as they were (scripts, the original's output).
   */
  @Test
  void logOnATerminalShowsAServicesEscapeSequencesInsteadOfSendingThem() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/script")), "needs script(1)");
    try (Zinit z = new Zinit()) {
      z.service("esc", "exec: sh -c 'printf \"\\033]0;TITLE\\007\\033[2Jmarker\\n\"; exec sleep 1000'\n").start();
      Zinit.waitFor("the line in the ring", Duration.ofSeconds(30), () -> {
        try {
          return z.cli("log", "-s", "esc").stdout().contains("marker");
        } catch (Exception e) {
          return false;
        }
      });
      assertThat(z.cli("log", "-s", "esc").stdout()).as("through a pipe: as printed").contains("\u001b]0;TITLE\u0007\u001b[2Jmarker");
      // script(1) gives `zinit log` a pseudo-terminal as its stdout
      Process p = new ProcessBuilder("script", "-qec", Zinit.LAUNCHER + " -s " + z.socket + " log -s esc", "/dev/null")
          .redirectErrorStream(true)
          .start();
      p.getOutputStream().close();
      String tty = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(tty).contains("marker").doesNotContain("\u001b").doesNotContain("\u0007").contains("^[]0;TITLE^G^[[2Jmarker");
    }
  }

  @Test
  void afterNamingAServiceThatIsNotMonitoredSaysSoInStatusAndLog() throws Exception {
    try (Zinit z = new Zinit()) {
      z.service("app", "exec: sleep 1000\nafter:\n  - db\n").start();
      z.awaitState("app", "Blocked");
      String why = "waiting for 'db', which is not monitored (zinit monitor db)";
      assertThat(z.call("service_status", "app").get("detail").asText()).isEqualTo(why);
      assertThat(z.cli("log", "-s").stdout()).contains("app: " + why);
    }
  }

  @Test
  void startedWithItsStandardFdsClosedZinitGetsDevNullThereNotItsOwnFiles() throws Exception {
    // A kernel that finds no /dev/console starts init with fds 0-2 closed: the JVM then opened its
    // modules file as 0 and the jar as 1, and a write to stderr could land in any later file.
    try (Zinit z = new Zinit().wrappedIn("sh", "-c", "exec 0<&- 1>&- 2>&-; exec \"$@\"", "sh")) {
      z.service("svc", "exec: sleep 1000\n").start();
      z.awaitState("svc", "Running");
      for (int fd = 0; fd <= 2; fd++) {
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + z.daemon.pid() + "/fd/" + fd)))
            .as("fd %d", fd).isEqualTo(Path.of("/dev/null"));
      }
    }
  }

  /** `zinit init &` in a script: SIGINT arrives ignored (SIG_IGN survives exec). */
  @Test
  void inheritedIgnoredSigintIsResetSoSigintStopsZinit() throws Exception {
    try (Zinit z = new Zinit()) {
      z.wrappedIn("/bin/sh", "-c", "trap '' INT; exec \"$@\"", "sh")
          .service("svc", "exec: sleep 1000\n")
          .start();
      z.awaitState("svc", "Running");
      // Where the launcher blocks the stop signals for zinit's own thread (GNU env, as here), the
      // disposition does not matter; with the JDK's handlers zinit resets it and says so.
      boolean blocked = (statusBits(z.daemon.pid(), "SigBlk") & (1L << 1)) != 0;
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(z.daemon.pid())).start();
      assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Zinit.waitFor("zinit to stop on SIGINT", Duration.ofSeconds(60), () -> !z.daemon.isAlive());
      assertThat(z.daemon.exitValue()).as(z.output()).isZero();
      assertThat(z.output()).contains("SIGINT received: shutting down");
      if (!blocked) assertThat(z.output()).contains("SIGINT was ignored");
    }
  }

  /**
   * The launcher starts zinit with its stop signals blocked and ignored and SIGCHLD blocked (for
   * zinit's own threads to take them, SignalWait and Reaper): a service gets none of that, and none
   * of the signals pending for zinit.
   */
  @Test
  void aServiceStartsWithNoSignalBlockedIgnoredOrPending() throws Exception {
    try (Zinit z = new Zinit()) {
      Path seen = z.file("seen");
      // exec: the mask and dispositions of the service itself, not of the shell's fork
      z.service("probe", "exec: sh -c 'exec grep -E \"^(SigPnd|ShdPnd|SigBlk|SigIgn)\" /proc/self/status > " + seen + "'\n"
          + "oneshot: true\n").start();
      z.awaitState("probe", "Success");
      assertThat(statusBits(z.daemon.pid(), "SigBlk") & (1L << 16)).as("the launcher blocked SIGCHLD (GNU env)").isNotZero();
      assertThat(Files.readAllLines(seen))
          .containsExactly("SigPnd:\t0000000000000000", "ShdPnd:\t0000000000000000", "SigBlk:\t0000000000000000",
              "SigIgn:\t0000000000000000");
    }
  }

  /**
   * zinit started with a raised oom_score_adj (as by a runtime's --oom-score-adj): it lowers its
   * own where it may (CAP_SYS_RESOURCE, which this machine's root lacks; the VM's init test has
   * it) and says why not where it may not; either way its services run with the value it was
   * started with.
   */
  @Test
  void zinitLowersItsOwnOomScoreAdjWhereItMayAndItsServicesKeepTheValueItWasStartedWith() throws Exception {
    int started = 300;
    boolean may = (statusBits(ProcessHandle.current().pid(), "CapEff") & (1L << 24)) != 0; // CAP_SYS_RESOURCE
    try (Zinit z = new Zinit().wrappedIn("sh", "-c", "echo " + started + " > /proc/self/oom_score_adj; exec \"$@\"", "sh")) {
      Path seen = z.file("seen");
      z.service("svc", "exec: sh -c 'cat /proc/self/oom_score_adj > " + seen + "; exec sleep 1000'\n").start();
      Zinit.waitFor("the service's value", Duration.ofSeconds(30), () -> Files.exists(seen) && seen.toFile().length() > 0);
      assertThat(Files.readString(seen).trim()).isEqualTo(Integer.toString(started));
      String zinits = Files.readString(Path.of("/proc/" + z.daemon.pid() + "/oom_score_adj")).trim();
      if (may) {
        assertThat(zinits).isEqualTo("-999");
        assertThat(z.output()).contains("oom_score_adj -999 (the OOM killer's last choice); services get " + started);
      } else {
        assertThat(zinits).isEqualTo(Integer.toString(started));
        assertThat(z.output()).contains("oom_score_adj stays " + started + " (lowering it needs CAP_SYS_RESOURCE: Permission denied)");
      }
    }
  }

  /** A bit set of {@code pid}'s main thread from /proc/PID/status: a signal mask ("SigBlk"), capabilities ("CapEff"). */
  static long statusBits(long pid, String field) throws java.io.IOException {
    return statusBits(Path.of("/proc/" + pid + "/status"), field);
  }

  /** The same from any status file, e.g. one thread's (/proc/PID/task/TID/status). */
  static long statusBits(Path status, String field) throws java.io.IOException {
    return Long.parseUnsignedLong(Files.readAllLines(status).stream()
        .filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow().substring(field.length() + 1).trim(), 16);
  }
}
