package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The README's "PID 1 of a VM", for real: the tarball unpacked into a root filesystem that Debian's
 * kernel boots in qemu with zinit as init. The VM's CPU is qemu's default model (qemu64: no SSE4,
 * no AVX), older than any machine the distribution is built on, and qemu emulates it (TCG): this
 * machine's KVM does not run guests. Three boots: an ext4 root through Debian's initramfs, with a
 * second disk a service mounts, powered off by `zinit shutdown` with both filesystems left clean;
 * a usage error on the kernel's command line, which must hold the machine, not panic it; and no
 * initramfs at all, nothing mounted, ended by Ctrl-Alt-Del.
 */
@Isolated("qemu emulates the VM's CPUs: two busy threads, which would starve the tests beside it")
class VmInitIT {
  private static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");

  private Path work;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void workDir() throws IOException {
    work = Files.createTempDirectory("zinit-vm-");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process qemu : started) { // a test that failed before its VM ended
      qemu.destroyForcibly();
      qemu.waitFor(30, TimeUnit.SECONDS);
    }
    if (work == null) return;
    try (Stream<Path> files = Files.walk(work)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void bootsAsInitOnAnOlderCpuSupervisesAndPowersOffWithFilesystemsClean() throws Exception {
    Path root = rootTree();
    Path services = root.resolve("etc/zinit");
    Files.writeString(services.resolve("writer.yaml"), "exec: sh -c 'echo written > /var/lib/proof; exec sleep 1000'\n");
    Files.writeString(services.resolve("data.yaml"), "exec: mount /dev/vdb /data\noneshot: true\n");
    // holds a file on /data open for writing until it is stopped: /data can be unmounted only after
    Files.writeString(services.resolve("holder.yaml"),
        "exec: sh -c 'exec 3>>/data/held; echo held >&3; exec sleep 1000'\nafter: [data]\n");
    // a swap file on the root: while it is on, the root cannot be remounted read-only
    Files.writeString(services.resolve("swap.yaml"),
        "exec: sh -c 'dd if=/dev/zero of=/swapfile bs=1M count=8 && chmod 600 /swapfile && mkswap /swapfile"
            + " && swapon /swapfile'\noneshot: true\n");
    Files.writeString(services.resolve("halt.yaml"),
        "exec: sh -c 'sleep 2; exec zinit shutdown'\noneshot: true\nafter: [writer, holder, swap]\n");
    // `splash` and `single`: words the kernel does not know, which it hands to init (Ubuntu's
    // default command line has `splash`)
    Vm vm = boot(root, " splash single");
    String out = vm.waitForPowerOff();
    assertThat(out)
        .contains("zinit: the kernel's words for init, no zinit command, left out: splash single")
        // the root has no /var/run (the default socket's directory): the machine's init makes it
        .contains("zinit: socket dir /var/run did not exist; created it")
        .contains("zinit: zinit listening on")
        .contains("zinit: swap: exited (exit code 0)")
        .contains("swap off: /swapfile")
        .contains("unmounted /data (ext4)")
        .contains("remounted / (ext4) read-only")
        .contains("zinit: powering off");
    assertThat(out.indexOf("unmounted /data")).isLessThan(out.indexOf("powering off"));
    assertClean(vm.rootImage);
    assertClean(vm.dataImage);
    assertThat(mustRun("debugfs", "-R", "cat /var/lib/proof", vm.rootImage.toString())).isEqualTo("written\n");
    assertThat(mustRun("debugfs", "-R", "cat /held", vm.dataImage.toString())).isEqualTo("held\n");
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void aStartThatFailsHoldsTheMachineUntilCtrlAltDelReboots() throws Exception {
    // Words after the kernel command line's `--` are init's arguments: here a usage error. With
    // GNU env in the root, the launcher blocks and ignores the stop signals for zinit's own signal
    // thread (the JDK's handlers then get none: Ctrl-Alt-Del works only through that thread); the
    // other boots have no env, and the JDK's handlers.
    Path root = rootTree();
    Files.copy(Path.of("/usr/bin/env"), root.resolve("bin/env"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Vm vm = boot(root, " -- init --main nosuch");
    vm.waitForConsole("it holds, with no services");
    assertThat(vm.process.isAlive()).as("the kernel did not panic: the VM runs").isTrue();
    vm.monitor("sendkey ctrl-alt-delete");
    String out = vm.waitForPowerOff();
    assertThat(out)
        .contains("--main needs --container")
        .doesNotContain("stop signals go to the JDK's handlers")
        .contains("SIGINT received: rebooting")
        .contains("remounted / (ext4) read-only");
    assertClean(vm.rootImage);
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void bootsWithoutAnInitramfsMountsWhatItNeedsAndRebootsGracefullyOnCtrlAltDel() throws Exception {
    // A microVM's way: the kernel runs zinit from the image it unpacked into memory (rdinit=), with
    // nothing mounted, not even /proc, and only /dev/console
    Path root = rootTree();
    mustRun("mknod", root.resolve("dev/console").toString(), "c", "5", "1");
    Path services = root.resolve("etc/zinit");
    Files.writeString(services.resolve("hello.yaml"), "exec: sh -c 'echo hello from a service; exec sleep 1000'\nlog: stdout\n");
    // a second zinit, a plain supervisor with the root's capabilities (CAP_SYS_RESOURCE, which the
    // machine running the tests lacks): it lowers its own oom_score_adj, its service keeps 0
    Files.writeString(services.resolve("inner.yaml"), "exec: zinit -s /run/inner.sock init -c /etc/inner\nlog: stdout\n");
    Files.createDirectories(root.resolve("etc/inner"));
    Files.writeString(root.resolve("etc/inner/probe.yaml"),
        "exec: sh -c 'echo \"probe oom_score_adj $(cat /proc/self/oom_score_adj)\"; exec sleep 1000'\nlog: stdout\n");
    Path cpio = work.resolve("root.cpio");
    mustRun("sh", "-c", "cd \"$0\" && find . | cpio -o -H newc --quiet > \"$1\"", root.toString(), cpio.toString());
    Path console = work.resolve("console.log");
    Process qemu =
        new ProcessBuilder(
                QEMU.toString(), "-accel", "tcg", "-cpu", "qemu64", "-m", "1024", "-smp", "2",
                "-nographic", "-no-reboot", "-nodefaults", "-serial", "stdio",
                "-monitor", "unix:" + work.resolve("monitor.sock") + ",server,nowait",
                "-kernel", newest("/boot", "vmlinuz-").toString(), "-initrd", cpio.toString(),
                "-append", "console=ttyS0 rdinit=/sbin/zinit panic=-1 quiet")
            .redirectErrorStream(true)
            .redirectOutput(console.toFile())
            .start();
    Vm vm = new Vm(qemu, console, null, null, work.resolve("monitor.sock"));
    vm.waitForConsole("zinit listening on");
    vm.waitForConsole("hello from a service");
    vm.waitForConsole("probe oom_score_adj");
    // Ctrl-Alt-Del is zinit's (a graceful reboot), not the kernel's immediate one
    vm.monitor("sendkey ctrl-alt-delete");
    String out = vm.waitForPowerOff();
    assertThat(out)
        .contains("zinit: mounted proc on /proc (it was missing)")
        .contains("zinit: mounted cgroup2 on /sys/fs/cgroup (it was missing)")
        .contains("zinit: zinit listening on /var/run/zinit.sock (cgroup tracking)")
        .contains("zinit: SIGINT received: rebooting")
        .contains("stop signals go to the JDK's handlers (no GNU env --block-signal") // no env in this root
        .contains("zinit: hello: exited (killed by SIGTERM)")
        .contains("zinit: rebooting")
        .contains("oom_score_adj -999 (the OOM killer's last choice); services get 0")
        .contains("probe oom_score_adj 0")
        .doesNotContain("oom_score_adj stays") // the machine's init is never the OOM killer's choice
        .doesNotContain("cannot open") // the launcher's check of a CPU line that is not there yet
        .doesNotContain("unmounted"); // a root in memory keeps nothing
  }

  /** The tarball unpacked, as a root filesystem tree (src/test/vm/build-root). */
  private Path rootTree() throws Exception {
    assumeTrue(Privileges.root(), "needs root (mkfs, debugfs on image files)");
    assumeTrue(Files.isExecutable(QEMU), "needs qemu-system-x86 (Debian package)");
    assumeTrue(newest("/boot", "vmlinuz-") != null && newest("/boot", "initrd.img-") != null,
        "needs a Debian kernel and initramfs in /boot (linux-image-amd64)");
    Path tarball = only(Zinit.ROOT.resolve("target"), "zinit-*-linux-x64.tar.gz");
    Path unpacked = Files.createDirectories(work.resolve("unpacked"));
    mustRun("tar", "-C", unpacked.toString(), "-xzf", tarball.toString());
    Path root = work.resolve("root");
    mustRun(Zinit.ROOT.resolve("src/test/vm/build-root").toString(), only(unpacked, "zinit-*").toString(), root.toString());
    return root;
  }

  /** A booting VM: its qemu, console file, disks and monitor socket. */
  private final class Vm {
    final Process process;
    final Path console;
    final Path rootImage;
    final Path dataImage;
    final Path monitor;

    Vm(Process process, Path console, Path rootImage, Path dataImage, Path monitor) {
      started.add(process);
      this.process = process;
      this.console = console;
      this.rootImage = rootImage;
      this.dataImage = dataImage;
      this.monitor = monitor;
    }

    void waitForConsole(String text) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!Files.readString(console).contains(text)) {
        assertThat(process.isAlive()).as("qemu ended before the console showed '%s':%n%s", text, Files.readString(console)).isTrue();
        assertThat(System.nanoTime() - deadline).as("the console showed no '%s' in 5 min:%n%s", text, Files.readString(console)).isNegative();
        Thread.sleep(200);
      }
    }

    /** Sends one command to qemu's monitor, and waits for its next prompt: the command has run. */
    void monitor(String command) throws IOException {
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(monitor))) {
        ch.write(ByteBuffer.wrap((command + "\n").getBytes()));
        StringBuilder said = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        // the banner's prompt, then the one after the command
        while (said.toString().split("\\(qemu\\)", -1).length < 3) {
          buf.clear();
          if (ch.read(buf) < 0) throw new IOException("qemu's monitor closed: " + said);
          said.append(new String(buf.array(), 0, buf.position()));
        }
      }
    }

    /** Waits for qemu to end by itself (the guest powered off or rebooted: -no-reboot); the console. */
    String waitForPowerOff() throws Exception {
      boolean ended;
      try {
        ended = process.waitFor(6, TimeUnit.MINUTES);
      } finally {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
      String out = Files.readString(console);
      assertThat(ended).as("the VM powered off by itself; its console:%n%s", out).isTrue();
      assertThat(out).doesNotContain("Kernel panic").doesNotContain("A fatal error has been detected");
      return out;
    }
  }

  /**
   * Boots ROOT (made into an ext4 image, with an empty ext4 data disk beside it) with Debian's
   * kernel and initramfs, `init=/sbin/zinit` and {@code moreCmdline}, on an emulated qemu64 CPU.
   */
  private Vm boot(Path root, String moreCmdline) throws Exception {
    Path rootImage = work.resolve("root.img");
    Path dataImage = work.resolve("data.img");
    mustRun("mkfs.ext4", "-q", "-F", "-d", root.toString(), rootImage.toString(), "512M");
    mustRun("mkfs.ext4", "-q", "-F", dataImage.toString(), "64M");
    Path console = work.resolve("console.log");
    Path monitor = work.resolve("monitor.sock");
    Process qemu =
        new ProcessBuilder(
                QEMU.toString(), "-accel", "tcg", "-cpu", "qemu64", "-m", "1024", "-smp", "2",
                "-nographic", "-no-reboot", "-nodefaults", "-serial", "stdio",
                "-monitor", "unix:" + monitor + ",server,nowait",
                "-kernel", newest("/boot", "vmlinuz-").toString(), "-initrd", newest("/boot", "initrd.img-").toString(),
                "-drive", "file=" + rootImage + ",format=raw,if=virtio",
                "-drive", "file=" + dataImage + ",format=raw,if=virtio",
                "-append", "console=ttyS0 root=/dev/vda rw init=/sbin/zinit panic=-1 quiet" + moreCmdline)
            .redirectErrorStream(true)
            .redirectOutput(console.toFile())
            .start();
    return new Vm(qemu, console, rootImage, dataImage, monitor);
  }

  /** The ext4 image was unmounted or remounted read-only: no journal to replay, e2fsck finds nothing. */
  private void assertClean(Path image) throws Exception {
    String header = mustRun("dumpe2fs", "-h", image.toString());
    assertThat(header).as(image + ": " + header).containsPattern("Filesystem state: +clean\n");
    assertThat(header).as(image + " has a journal to replay").doesNotContain("needs_recovery");
    mustRun("e2fsck", "-f", "-n", image.toString());
  }

  /** The file named PREFIX* in DIR whose name sorts last, or null. */
  private static Path newest(String dir, String prefix) throws IOException {
    Path best = null;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(dir), prefix + "*")) {
      for (Path f : files) {
        if (f.toString().endsWith(".dpkg-bak") || f.toString().endsWith(".new")) continue;
        if (best == null || f.getFileName().toString().compareTo(best.getFileName().toString()) > 0) best = f;
      }
    }
    return best;
  }

  private static Path only(Path dir, String glob) throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
      files.forEach(found::add);
    }
    assertThat(found).as(dir + "/" + glob).hasSize(1);
    return found.get(0);
  }

  /** Runs a command to its end, which must be exit 0; its stdout. */
  private String mustRun(String... cmd) throws Exception {
    Path err = Files.createTempFile(work, "stderr", "");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + out + Files.readString(err)).isZero();
    return out;
  }
}
