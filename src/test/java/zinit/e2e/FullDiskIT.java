package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** zinit's own files on a full file system (a real tmpfs of 64 KiB, filled). */
class FullDiskIT {
  @BeforeAll
  static void needsRoot() {
    Privileges.assumeRootWithCgroups();
  }

  @Test
  void aStateFileThatCannotBeWrittenIsSaidWithoutDebugAndLeavesNoTemporaryFile() throws Exception {
    // On a full disk the state file (crash recovery's record of this zinit and, without cgroups,
    // of its units) was not written: zinit said so only with -d, and left a .tmp file behind.
    try (Zinit z = new Zinit()) {
      Path mnt = Files.createDirectory(z.file("run"));
      run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString());
      try {
        run("dd", "if=/dev/zero", "of=" + mnt.resolve("fill"), "bs=4k", "count=100");
        Zinit full = new Zinit();
        try (full) {
          full.service("svc", "exec: sleep 1000\n").initArgs("--no-cgroups");
          full.socketAt(mnt.resolve("z.sock")); // the state file is beside it, on the full file system
          full.start();
          full.awaitState("svc", "Running");
          Zinit.waitFor("the warning", Duration.ofSeconds(30), () -> full.output().contains("cannot write " + mnt.resolve("z.sock.state")));
          try (var left = Files.list(mnt)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("fill", "z.sock");
          }
        }
      } finally {
        run("umount", "-l", mnt.toString());
      }
    }
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isIn(0, 1);
  }
}
