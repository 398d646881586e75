package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ParsingTest {
  @Test
  void statParsesCommandsWithSpacesAndParentheses() {
    String line =
        "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 123456 1000 50"
            + " 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    ProcFs.Stat s = ProcFs.parseStat(4242, line);
    assertThat(s.state()).isEqualTo('S');
    assertThat(s.ppid()).isEqualTo(1);
    assertThat(s.pgid()).isEqualTo(4242);
    assertThat(s.sid()).isEqualTo(4242);
    assertThat(s.utime()).isEqualTo(7);
    assertThat(s.stime()).isEqualTo(3);
    assertThat(s.starttime()).isEqualTo(123456);
  }

  @Test
  void cgroup2MountIsFoundInAHybridMountinfo() {
    String mountinfo =
        """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;
    CgroupMount m = CgroupMount.parse(mountinfo, "/").orElseThrow();
    assertThat(m.mount()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
    assertThat(m.ownDir()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
    CgroupMount nested = CgroupMount.parse(mountinfo, "/system.slice/zinit.service").orElseThrow();
    assertThat(nested.ownDir()).isEqualTo(Path.of("/sys/fs/cgroup/unified/system.slice/zinit.service"));
  }

  @Test
  void cgroup2MountOfASubtreeIsResolvedRelativeToItsRoot() {
    String mountinfo = "50 40 0:38 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
    CgroupMount m = CgroupMount.parse(mountinfo, "/kubepods/pod1/app").orElseThrow();
    assertThat(m.ownDir()).isEqualTo(Path.of("/sys/fs/cgroup/app"));
  }

  @Test
  void noCgroup2MountMeansNoCgroups() {
    assertThat(CgroupMount.parse("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw\n", "/")).isEmpty();
  }

  @Test
  void populatedIsReadFromCgroupEvents() {
    assertThat(Cgroup.populated("populated 1\nfrozen 0\n")).isTrue();
    assertThat(Cgroup.populated("populated 0\nfrozen 0\n")).isFalse();
  }

  @Test
  void errnoIsNamedSymbolicallyAndInWords() {
    assertThat(new OsException("pidfd_open(1)", Errno.ESRCH)).hasMessage("pidfd_open(1): ESRCH (No such process)");
  }
}
