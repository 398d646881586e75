package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static zinit.os.OsTesting.host;
import static zinit.os.OsTesting.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.config.Signal;
import zinit.supervisor.ServiceProcess;

/**
 * Issue 12 item 8: a unit that empties and is removed while a signal pass or an events read is on
 * its way is the normal end of a unit, not an error (no "ENOENT"/"ENODEV" lines).
 */
class RemovedCgroupTest {
  @TempDir Path tmp;

  private static Cgroup scratch() throws Exception {
    OsTesting.assumeRootWithCgroups();
    CgroupMount m = CgroupMount.find().orElseThrow();
    String name = "zinit-removed-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    Cgroup c = new Cgroup(m.ownDir(), m.ownPath()).child(name);
    Files.createDirectory(c.dir());
    return c;
  }

  @Test
  void controlFilesOfARemovedCgroupReadAsEmptyAndFrozen() throws Exception {
    Cgroup c = scratch();
    int fd = Fds.open(c.eventsFile().toString(), Flags.O_RDONLY);
    try {
      assertThat(Fds.tryPreadAll(fd, 256)).isPresent();
      assertThat(c.tryRemove(new ArrayList<>())).isTrue();
      assertThat(Fds.tryPreadAll(fd, 256)).as("ENODEV after rmdir").isEmpty();
    } finally {
      Fds.close(fd);
    }
    assertThat(c.dir()).doesNotExist();
    assertThat(c.tryFreeze(true)).isFalse();
    assertThat(c.populatedNow()).isFalse();
    assertThat(Waits.cgroupFrozen(c, System.nanoTime())).isTrue();
    assertThat(Waits.cgroupEmpty(c, System.nanoTime())).isTrue();
    assertThat(c.tryRemove(new ArrayList<>())).as("already gone counts as removed").isTrue();
  }

  @Test
  void signalPassAfterTheUnitWasClosedReachesNobodyQuietly() throws Exception {
    try (var h = host(true)) {
      ServiceProcess p = h.host().spawn(sh("brief", "exit 0", tmp));
      p.empty().get(30, TimeUnit.SECONDS);
      p.close();
      assertThat(p.signalAll(Signal.SIGTERM, Signal.SIGCONT)).isZero();
      assertThat(p.signalAllAtOnce(Signal.SIGTERM)).isEmpty();
      assertThat(h.log()).noneMatch(l -> l.contains("ENOENT") || l.contains("ENODEV") || l.contains("failed"));
    }
  }
}
