package zinit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: what `mvn package` ships, used the way an operator would. The tarball is unpacked and
 * linked from a sbin dir, the .deb extracted with `dpkg-deb -x`; each runs with an empty
 * environment (no JAVA_HOME, no JDK or Maven on PATH), as PID 1 of a fresh PID namespace.
 */
class DistributionIT {
  /** What `env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin` leaves: no JDK, no Maven. */
  static final Map<String, String> BARE_ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");

  private static Path work;
  private static Path tarball;
  private static Path deb;
  /** zinit as linked from a sbin dir to the unpacked tarball, and as the .deb puts it on PATH. */
  private static Path tarZinit;
  private static Path debZinit;
  private static Path tarTree;
  private static Path debRoot;

  @BeforeAll
  static void unpack() throws Exception {
    Path target = Zinit.ROOT.resolve("target");
    tarball = only(target, "zinit-*-linux-x64.tar.gz");
    deb = only(target, "zinit_*_amd64.deb");
    work = Files.createTempDirectory("zinit-dist-");
    Path opt = Files.createDirectories(work.resolve("opt"));
    mustRun("tar", "-C", opt.toString(), "-xzf", tarball.toString());
    tarTree = only(opt, "zinit-*");
    Path sbin = Files.createDirectories(work.resolve("sbin"));
    tarZinit = Files.createSymbolicLink(sbin.resolve("zinit"), tarTree.resolve("bin/zinit"));
    debRoot = work.resolve("deb");
    mustRun("dpkg-deb", "-x", deb.toString(), debRoot.toString());
    debZinit = debRoot.resolve("usr/sbin/zinit");
    System.out.printf(
        "distribution sizes: %s %d KiB, %s %d KiB, unpacked %d KiB%n",
        tarball.getFileName(), Files.size(tarball) / 1024, deb.getFileName(), Files.size(deb) / 1024,
        treeKiB(tarTree));
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (work == null) return;
    try (Stream<Path> files = Files.walk(work)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void tarballRunsAsPid1WithoutJdkSupervisesAndShutsDown() throws Exception {
    supervisesAsPid1(tarZinit);
  }

  @Test
  void debTreeRunsAsPid1WithoutJdkSupervisesAndShutsDown() throws Exception {
    assertThat(Files.isSymbolicLink(debZinit)).as("/usr/sbin/zinit links into /usr/lib/zinit").isTrue();
    supervisesAsPid1(debZinit);
  }

  @Test
  void asPid1WithoutACommandZinitIsTheInit() throws Exception {
    // The kernel starts `init=/sbin/zinit` with no arguments: a client command there (list) would
    // fail and end the machine.
    asPid1IsTheInit("bare", "", "");
  }

  @Test
  void asPid1TheKernelsWordsThatAreNoCommandAreLeftOut() throws Exception {
    // The kernel hands init the words of its command line it does not know (Ubuntu's `splash`)
    asPid1IsTheInit("words", "splash single", "the kernel's words for init, no zinit command, left out: splash single");
  }

  /**
   * zinit as PID 1 of a PID namespace with {@code words} as its arguments, its socket from
   * ZINIT_SOCKET, must be the init. Here /etc is an empty tmpfs of the namespace's own, so the
   * default config dir /etc/zinit is made there and nowhere else.
   */
  private void asPid1IsTheInit(String name, String words, String said) throws Exception {
    Privileges.assumePidNamespaces();
    Path socket = work.resolve(name + ".sock");
    List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=" + BARE_ENV.get("PATH"), "ZINIT_SOCKET=" + socket));
    cmd.addAll(List.of("unshare", "--kill-child", "-m", "-p", "-f", "--mount-proc", "sh", "-c",
        "mount -t tmpfs zinit-test /etc && exec \"$0\" " + words, tarZinit.toString()));
    Path out = work.resolve(name + ".out");
    Process init = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      Zinit.waitFor("the init's socket", Duration.ofSeconds(60), () -> {
        try {
          return cli(tarZinit, socket, "list").exit() == 0;
        } catch (Exception e) {
          return false;
        }
      });
      Run list = cli(tarZinit, socket, "list");
      assertThat(list.stdout()).isEqualTo("--- {}\n");
      cli(tarZinit, socket, "shutdown");
      assertThat(init.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(out)).isTrue();
      assertThat(Files.readString(out))
          .contains("config dir /etc/zinit did not exist; created it")
          .contains("listening on " + socket)
          .contains(said)
          .contains("powering off");
    } finally {
      init.destroyForcibly(); // unshare: its child, the namespace's PID 1, takes the namespace down
      init.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void bothTreesUseTheirAotCacheWhereverUnpacked() throws Exception {
    // AOTMode=on makes the JVM refuse to start when the cache does not fit this runtime and jar.
    for (Path zinit : List.of(tarZinit, debZinit)) {
      Map<String, String> env = new java.util.HashMap<>(BARE_ENV);
      env.put("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on");
      Run r = run(List.of(zinit.toString(), "--version"), env);
      assertThat(r.exit()).as("%s: %s", zinit, r.stderr()).isZero();
      assertThat(r.stdout()).startsWith("zinit ");
    }
  }

  @Test
  void theLauncherTellsTheJvmWhetherItIsPid1() throws Exception {
    // Main asks at its end whether it is PID 1 (the machine's init must not end); told by the
    // launcher, it does not ask the JDK's ProcessHandle, which sets up a process reaper first
    // (~30 classes, ~10 ms of every CLI call: bench/RESULTS.md, 2026-12-01 20:50)
    Privileges.assumePidNamespaces();
    Map<List<String>, String> told = Map.of(
        List.of("sh", "-x", tarZinit.toString(), "--version"), "-Dzinit.pid1=false",
        List.of("unshare", "-p", "-f", "--mount-proc", "sh", "-x", tarZinit.toString(), "--version"), "-Dzinit.pid1=true");
    for (Map.Entry<List<String>, String> c : told.entrySet()) {
      Run r = run(c.getKey(), BARE_ENV);
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(r.stdout()).startsWith("zinit ");
      String exec = r.stderr().lines().filter(l -> l.startsWith("+ exec ")).findFirst().orElseThrow();
      assertThat(exec).as("%s", c.getKey()).contains(" " + c.getValue() + " ");
    }
  }

  @Test
  void cachesMachineCodeIsUsedOnlyOnACpuWithEveryFeatureOfTheBuilds() throws Exception {
    // The launcher reads the kernel's CPU line; a mount namespace of the test's own shows it another
    Privileges.assumePidNamespaces();
    String built = Files.readString(tarTree.resolve("lib/aot-cpu")).strip();
    assertThat(built).as("the build machine's CPU, recorded").contains(":feature:");
    String oneLess = built.replaceFirst(",[0-9A-F]{4}$", "");
    Map<String, Boolean> used =
        Map.of(built, true, built + ",FFFF", true, oneLess, false, "cpu:type:other", false);
    for (Map.Entry<String, Boolean> cpu : used.entrySet()) {
      Path fake = work.resolve("modalias");
      Files.writeString(fake, cpu.getKey() + "\n");
      Run r = run(List.of("unshare", "-m", "sh", "-c",
          "mount --bind \"$0\" /sys/devices/system/cpu/modalias && exec sh -x \"$1\" --version", fake.toString(), tarZinit.toString()),
          BARE_ENV);
      assertThat(r.exit()).as(r.stderr()).isZero();
      assertThat(r.stdout()).startsWith("zinit ");
      String exec = r.stderr().lines().filter(l -> l.startsWith("+ exec ")).findFirst().orElseThrow();
      assertThat(exec.contains("-XX:-AOTAdapterCaching -XX:-AOTStubCaching"))
          .as("on %s: %s", cpu.getKey(), exec).isEqualTo(!cpu.getValue());
    }
  }

  @Test
  void debInstallsWithDpkgRunsFromPathAndRemovesWithoutATrace() throws Exception {
    // dpkg itself, into a root of the test's own with an empty package database (libc6 is not in
    // it, hence --force-depends); the package has no maintainer scripts
    Privileges.assumeRootWithCgroups();
    Path root = work.resolve("dpkg-root");
    Files.createDirectories(root.resolve("var/lib/dpkg/info"));
    Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
    Files.createFile(root.resolve("var/lib/dpkg/status"));
    mustRun("dpkg", "--root=" + root, "--force-depends", "-i", deb.toString());
    Run listed = run(List.of("dpkg", "--root=" + root, "-L", "zinit"), BARE_ENV);
    assertThat(listed.stdout()).contains("/usr/sbin/zinit", "/usr/share/man/man8/zinit.8.gz", "/usr/lib/zinit/runtime/bin/java");
    Run version = run(List.of(root.resolve("usr/sbin/zinit").toString(), "--version"), BARE_ENV);
    assertThat(version.exit()).as(version.stderr()).isZero();
    assertThat(version.stdout()).startsWith("zinit ");
    mustRun("dpkg", "--root=" + root, "-r", "zinit");
    try (Stream<Path> left = Files.walk(root)) {
      assertThat(left.filter(Files::isRegularFile).filter(f -> !f.startsWith(root.resolve("var/lib/dpkg"))).toList())
          .as("files left after dpkg -r").isEmpty();
    }
  }

  @Test
  void runtimeHoldsOnlyTheModulesZinitUses() throws Exception {
    String release = Files.readString(tarTree.resolve("runtime/release"));
    assertThat(release).contains("java.base").contains("jdk.net").doesNotContain("jdk.httpserver").doesNotContain("java.desktop")
        .doesNotContain("jdk.compiler");
    assertThat(tarTree.resolve("runtime/bin/javac")).doesNotExist();
    assertThat(tarTree.resolve("runtime/man")).doesNotExist();
  }

  private static java.util.Properties properties(Path file) throws java.io.IOException {
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }

  @Test
  void runtimeSecurityPropertiesAreTheJdksWithoutComments() throws Exception {
    java.util.Properties shipped = properties(tarTree.resolve("runtime/conf/security/java.security"));
    java.util.Properties jdk = properties(Path.of(System.getProperty("java.home"), "conf/security/java.security"));
    assertThat(shipped).isEqualTo(jdk);
    assertThat(Files.readAllLines(tarTree.resolve("runtime/conf/security/java.security")))
        .noneMatch(line -> line.strip().startsWith("#") || line.isBlank());
  }

  @Test
  void clientProvidersAreTheRuntimesAfterTheUnixSocketRandom() throws Exception {
    java.util.Properties runtime = properties(tarTree.resolve("runtime/conf/security/java.security"));
    java.util.Properties client = properties(tarTree.resolve("lib/zinit-client.security"));
    List<String> expected = new java.util.ArrayList<>(List.of("zinit.rpc.UnixSocketRandom"));
    for (int i = 1; runtime.getProperty("security.provider." + i) != null; i++) expected.add(runtime.getProperty("security.provider." + i));
    assertThat(expected).hasSizeGreaterThan(2).contains("SUN");
    List<String> listed = new java.util.ArrayList<>();
    for (int i = 1; client.getProperty("security.provider." + i) != null; i++) listed.add(client.getProperty("security.provider." + i));
    assertThat(listed).isEqualTo(expected);
    assertThat(client.stringPropertyNames()).allMatch(k -> k.startsWith("security.provider."));
    assertThat(Files.readString(tarTree.resolve("lib/zinit-client.jvmopts")))
        .contains("-Djava.security.properties=${java.home}/../lib/zinit-client.security");
  }

  @Test
  void manPageRendersFromBothTrees() throws Exception {
    for (Path page : List.of(tarTree.resolve("share/man/man8/zinit.8"), debRoot.resolve("usr/share/man/man8/zinit.8.gz"))) {
      Run r = run(List.of("man", "-P", "cat", "-l", page.toString()), Map.of("MANWIDTH", "100", "PATH", BARE_ENV.get("PATH")));
      assertThat(r.exit()).as("%s: %s", page, r.stderr()).isZero();
      assertThat(r.stdout()).contains("ZINIT(8)").contains("SYNOPSIS").contains("zinit init [-c DIR]")
          .contains("--socket-group GROUP").contains("zinit kill SERVICE [SIGNAL]").contains("ZINIT_SOCKET");
      assertThat(r.stderr()).as("no roff warnings").isEmpty();
    }
  }

  @Test
  void bashCompletionCompletesSubcommandsAndOptions() throws Exception {
    Path script = debRoot.resolve("usr/share/bash-completion/completions/zinit");
    assertThat(Files.readString(script)).isEqualTo(Files.readString(tarTree.resolve("share/bash-completion/completions/zinit")));
    assertThat(complete(script, "zinit", "st")).containsExactlyInAnyOrder("start", "stats", "status", "stop");
    assertThat(complete(script, "zinit", "init", "--c")).contains("--config", "--container");
    assertThat(complete(script, "zinit", "-s", "/run/z.sock", "shut")).containsExactly("shutdown");
  }

  /** What bash puts in COMPREPLY for the last word, through the function `complete -p zinit` names. */
  private static List<String> complete(Path script, String... words) throws Exception {
    String line = String.join(" ", words);
    String bash =
        "source '" + script + "'\n"
            + "spec=$(complete -p zinit) || exit 3\n"
            + "fn=$(printf '%s' \"$spec\" | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')\n"
            + "[ -n \"$fn\" ] || exit 4\n"
            + "COMP_WORDS=(" + line + "); COMP_CWORD=" + (words.length - 1) + "\n"
            + "COMP_LINE='" + line + "'; COMP_POINT=" + line.length() + "\n"
            + "\"$fn\" zinit '" + words[words.length - 1] + "' '" + words[words.length - 2] + "' 2>/dev/null\n"
            + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Run r = run(List.of("bash", "--norc", "--noprofile", "-c", bash), BARE_ENV);
    assertThat(r.exit()).as(r.stderr()).isZero();
    return r.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /**
   * zinit from the given tree as PID 1 of a new PID namespace, with an empty environment: a service
   * comes up, is killed and brought back, `zinit list` shows it, and `zinit shutdown` stops it and
   * ends the namespace.
   */
  private static void supervisesAsPid1(Path zinit) throws Exception {
    Privileges.assumePidNamespaces();
    List<String> wrapper = new ArrayList<>(List.of("env", "-i"));
    wrapper.add("PATH=" + BARE_ENV.get("PATH"));
    wrapper.addAll(List.of("unshare", "-p", "-f", "--mount-proc"));
    try (Zinit z = new Zinit().launcher(zinit).systemMode().wrappedIn(wrapper.toArray(String[]::new))) {
      z.service("svc", "exec: sh -c 'echo $$ >> " + z.file("pids") + "; exec sleep 1000'\n").start();
      z.awaitState("svc", "Running");
      long firstPid = z.call("service_status", "svc").get("pid").asLong();

      Run list = cli(zinit, z, "list");
      assertThat(list.exit()).as(list.stderr()).isZero();
      assertThat(list.stdout()).isEqualTo("---\nsvc: Running\n");

      Run kill = cli(zinit, z, "kill", "svc", "SIGKILL");
      assertThat(kill.exit()).as(kill.stderr()).isZero();
      Zinit.waitFor("svc restarted", Duration.ofSeconds(30), () -> {
        try {
          var status = z.call("service_status", "svc");
          return status.get("state").asText().equals("Running") && status.get("pid").asLong() != firstPid;
        } catch (IOException e) {
          return false;
        }
      });

      cli(zinit, z, "shutdown"); // its reply may be cut off by the namespace's end: the effect is what counts
      assertThat(z.daemon.waitFor(60, TimeUnit.SECONDS)).as(z.output()).isTrue();
      assertThat(z.output()).contains("powering off");
      // an installed zinit has no bin/zinit: its hint names the command on PATH
      assertThat(z.output()).contains("; try: zinit -s " + z.socket + " list");
      assertThat(ShutdownIT.processesMentioning(z.dir.toString())).isEmpty();
    }
  }

  private static Run cli(Path zinit, Zinit z, String... args) throws Exception {
    return cli(zinit, z.socket, args);
  }

  private static Run cli(Path zinit, Path socket, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(zinit.toString(), "-s", socket.toString()));
    cmd.addAll(List.of(args));
    return run(cmd, BARE_ENV);
  }

  record Run(int exit, String stdout, String stderr) {}

  /** Runs a tool with the test's own environment; it must succeed. */
  private static void mustRun(String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Run r = run(pb);
    if (r.exit() != 0) throw new AssertionError(String.join(" ", cmd) + ": " + r.stderr());
  }

  /** Runs a command with exactly the given environment. */
  static Run run(List<String> cmd, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().clear();
    pb.environment().putAll(env);
    return run(pb);
  }

  /** Fails the test if the command hangs. */
  private static Run run(ProcessBuilder pb) throws Exception {
    String cmd = String.join(" ", pb.command());
    Path out = Files.createTempFile("dist", ".out");
    Path err = Files.createTempFile("dist", ".err");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(cmd + " did not finish");
      }
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The one file in dir matching glob; the build must have made exactly one. */
  private static Path only(Path dir, String glob) throws IOException {
    List<Path> found = new ArrayList<>();
    try (var files = Files.newDirectoryStream(dir, glob)) {
      files.forEach(found::add);
    }
    assertThat(found).as("%s in %s (made by mvn package)", glob, dir).hasSize(1);
    return found.get(0);
  }

  private static long treeKiB(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      long bytes = 0;
      for (Path p : files.filter(Files::isRegularFile).toList()) bytes += Files.size(p);
      return bytes / 1024;
    }
  }
}
