package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash recovery's bookkeeping and whose cgroups it may take, against the real kernel. */
class LeftoversTest {
  @TempDir Path dir;

  @Test
  void stateFileRoundTripsAndIsOwnerOnly() throws Exception {
    Path socket = dir.resolve("z.sock");
    InstanceState.Owner self = InstanceState.Owner.self(socket);
    InstanceState state = new InstanceState(socket, self, m -> {});
    state.cgroup(Path.of("/sys/fs/cgroup/zinit-abc-1"));
    state.add(new InstanceState.Unit(42, 4242, "web server"));
    state.add(new InstanceState.Unit(43, 4343, "db"));
    state.remove(43);
    InstanceState.Saved saved = InstanceState.read(socket).orElseThrow();
    assertThat(saved.owner()).isEqualTo(self);
    assertThat(saved.cgroup()).contains(Path.of("/sys/fs/cgroup/zinit-abc-1"));
    assertThat(saved.units()).containsExactly(new InstanceState.Unit(42, 4242, "web server"));
    assertThat(Files.getPosixFilePermissions(InstanceState.fileFor(socket))).hasSize(2); // rw-------
    state.delete();
    assertThat(InstanceState.read(socket)).isEmpty();
  }

  @Test
  void anOwnerIsAliveOnlyWithItsOwnStartTime() {
    InstanceState.Owner self = InstanceState.Owner.self(dir.resolve("z.sock"));
    assertThat(self.alive()).isTrue();
    assertThat(new InstanceState.Owner(self.pid(), self.starttime() + 1, self.socket()).alive()).as("a reused pid").isFalse();
  }

  @Test
  void deadUnitPidsAreReportedGoneAndNothingIsSignalled() throws Exception {
    Path socket = dir.resolve("z.sock");
    InstanceState.Owner dead = new InstanceState.Owner(Libc.getpid(), 1, InstanceState.normalize(socket));
    InstanceState old = new InstanceState(socket, dead, m -> {});
    // our own pid with a start time that is not ours: must never be signalled
    old.add(new InstanceState.Unit(Libc.getpid(), 1, "impostor"));
    List<String> log = new ArrayList<>();
    new Leftovers(socket, InstanceState.Owner.self(socket), log::add).recover();
    assertThat(log).anyMatch(l -> l.contains("unit impostor") && l.contains("already gone"));
  }

  @Test
  void onlyAMarkedCgroupOfThisSocketWhoseZinitIsDeadIsRemoved() throws Exception {
    OsTesting.assumeRootWithCgroups();
    CgroupMount mount = CgroupMount.find().orElseThrow();
    Path socket = dir.resolve("z.sock");
    String tag = Long.toHexString(System.nanoTime());
    Path ours = Files.createDirectory(mount.ownDir().resolve("zinit-lefttest-" + tag + "-1"));
    Path foreign = Files.createDirectory(mount.ownDir().resolve("zinit-lefttest-" + tag + "-2"));
    Path live = Files.createDirectory(mount.ownDir().resolve("zinit-lefttest-" + tag + "-3"));
    Path unmarked = Files.createDirectory(mount.ownDir().resolve("zinit-lefttest-" + tag + "-4"));
    try {
      InstanceState.Owner self = InstanceState.Owner.self(socket);
      InstanceState.Owner deadHere = new InstanceState.Owner(self.pid(), self.starttime() + 1, self.socket());
      assertThat(InstanceState.mark(ours, deadHere)).isTrue();
      Files.createDirectory(ours.resolve("web-1"));
      InstanceState.mark(foreign, new InstanceState.Owner(self.pid(), self.starttime() + 1, "/elsewhere.sock"));
      // pid 1 with its real start time: a zinit that is alive
      InstanceState.mark(live, new InstanceState.Owner(1, ProcFs.stat(1).orElseThrow().starttime(), self.socket()));
      List<String> log = new ArrayList<>();
      new Leftovers(socket, self, log::add).recover();
      assertThat(ours).doesNotExist();
      assertThat(foreign).isDirectory();
      assertThat(live).isDirectory();
      assertThat(unmarked).isDirectory();
      assertThat(log).anyMatch(l -> l.contains(ours.toString()) && l.contains("[web-1]") && l.contains("killed and removed"));
      assertThat(log).anyMatch(l -> l.contains(live.toString()) && l.contains("alive; left alone"));
    } finally {
      for (Path p : List.of(ours.resolve("web-1"), ours, foreign, live, unmarked)) Files.deleteIfExists(p);
    }
  }
}
