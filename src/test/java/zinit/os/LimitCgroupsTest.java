package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where the v1 controllers are, from real-looking /proc fixtures (a hybrid systemd layout). */
class LimitCgroupsTest {
  private static final String MOUNTINFO = """
      31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
      32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
      39 31 0:36 /lxc/c1 /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
      """;
  private static final String CGROUP = """
      8:pids:/lxc/c1/app
      4:memory:/process_api/abc
      2:cpu,cpuacct:/
      0::/
      """;

  @Test
  void findsOurOwnCgroupInEachV1HierarchyWithALimitController() {
    assertThat(LimitCgroups.v1Dirs(MOUNTINFO, CGROUP))
        .containsEntry("memory", Path.of("/sys/fs/cgroup/memory/process_api/abc"))
        .containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
        .containsEntry("pids", Path.of("/sys/fs/cgroup/pids/app"))
        .hasSize(3);
  }

  @Test
  void pureV2HostHasNoV1Dirs() {
    assertThat(LimitCgroups.v1Dirs("41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/x\n")).isEmpty();
  }

  @Test
  void readsOomCountersFromFlatKeyedFiles() {
    assertThat(LimitCgroups.field("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill")).isEqualTo(3);
    assertThat(LimitCgroups.field("low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n", "oom_kill")).isEqualTo(1);
    assertThat(LimitCgroups.field("low 0\n", "oom_kill")).isEqualTo(-1);
  }

  @org.junit.jupiter.api.io.TempDir Path tmp;

  @Test
  void appliesThroughV2WhenTheUnitHasTheControllers() throws Exception {
    // A directory with the control files a v2 cgroup with memory, cpu and pids has.
    Path unit = java.nio.file.Files.createDirectory(tmp.resolve("web-1"));
    for (String f : new String[] {"memory.max", "memory.high", "cpu.max", "pids.max"}) {
      java.nio.file.Files.createFile(unit.resolve(f));
    }
    java.util.List<String> log = new java.util.ArrayList<>();
    LimitCgroups limits = new LimitCgroups(null, java.util.Map.of(), "zinit-test", log::add);
    var applied = limits.apply("web", new Cgroup(unit, "/web-1"),
        new zinit.config.ResourceLimits(256L << 20, 200L << 20, 0.5, 100, 0));
    assertThat(applied.enter()).isEmpty();
    assertThat(java.nio.file.Files.readString(unit.resolve("memory.max"))).isEqualTo(String.valueOf(256L << 20));
    assertThat(java.nio.file.Files.readString(unit.resolve("memory.high"))).isEqualTo(String.valueOf(200L << 20));
    assertThat(java.nio.file.Files.readString(unit.resolve("cpu.max"))).isEqualTo("50000 100000");
    assertThat(java.nio.file.Files.readString(unit.resolve("pids.max"))).isEqualTo("100");
    java.nio.file.Files.writeString(unit.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
    assertThat(applied.oomKills()).isEqualTo(1);
    assertThat(log).isEmpty();
  }

  @Test
  void appliesThroughTheRealV1PidsHierarchyAndRemovesItsCgroups() throws Exception {
    java.util.Map<String, Path> v1 = LimitCgroups.v1Dirs();
    org.junit.jupiter.api.Assumptions.assumeTrue(v1.containsKey("pids"), "needs a writable v1 pids hierarchy (hybrid host, root)");
    java.util.List<String> log = new java.util.ArrayList<>();
    String baseName = "zinit-limits-test-" + ProcessHandle.current().pid();
    LimitCgroups limits = new LimitCgroups(null, java.util.Map.of("pids", v1.get("pids")), baseName, log::add);
    try {
      var applied = limits.apply("probe", null, new zinit.config.ResourceLimits(0, 0, 0, 7, 0));
      assertThat(applied.enter()).singleElement().satisfies(d -> {
        assertThat(d.getParent()).isEqualTo(v1.get("pids").resolve(baseName));
        assertThat(java.nio.file.Files.readString(d.resolve("pids.max")).trim()).isEqualTo("7");
      });
      applied.remove(log::add);
      assertThat(applied.enter().getFirst()).doesNotExist();
    } finally {
      limits.close();
    }
    assertThat(v1.get("pids").resolve(baseName)).doesNotExist();
    assertThat(log).isEmpty();
  }
}
