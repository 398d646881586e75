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
}
