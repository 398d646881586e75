package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The .deb depends on libc6 (>= 2.34) and the README promises glibc 2.34: every C function Libc
 * binds by name must be in glibc 2.34, or be bound with a way around its absence ({@code
 * longsOrSyscall}: pidfd_open and pidfd_send_signal, 2.36, through syscall(2)). The versions are the ones this machine's libc
 * gives each symbol (objdump -T), so a binding of a newer function fails here, not on a user's
 * Ubuntu 22.04.
 */
class GlibcVersionTest {
  private static final String OLDEST = "2.34";

  @Test
  void everyBoundFunctionIsInTheOldestGlibcTheDebDependsOn() throws Exception {
    Path objdump = Path.of("/usr/bin/objdump");
    assumeTrue(Files.isExecutable(objdump), "needs objdump (binutils)");
    String source = Files.readString(Path.of("src/main/java/zinit/os/Libc.java"));
    Matcher m = Pattern.compile("(longs|longsOrSyscall|variadic)\\(\"([a-z_0-9]+)\"").matcher(source);
    List<String> bound = new ArrayList<>();
    Set<String> withFallback = new java.util.HashSet<>();
    while (m.find()) {
      bound.add(m.group(2));
      if (m.group(1).equals("longsOrSyscall")) withFallback.add(m.group(2));
    }
    assertThat(bound).contains("posix_spawn", "pidfd_open", "syscall");

    Process p = new ProcessBuilder(objdump.toString(), "-T", "/lib/x86_64-linux-gnu/libc.so.6").start();
    Map<String, String> oldest = new TreeMap<>();
    for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 2 || !f[f.length - 2].startsWith("GLIBC_")) continue;
      String version = f[f.length - 2].substring("GLIBC_".length());
      oldest.merge(f[f.length - 1], version, (a, b) -> compare(a, b) <= 0 ? a : b);
    }
    assertThat(p.waitFor()).isZero();

    Map<String, String> tooNew = new TreeMap<>();
    for (String name : bound) {
      String version = oldest.get(name);
      assertThat(version).as("libc.so.6 exports %s", name).isNotNull();
      if (compare(version, OLDEST) > 0 && !withFallback.contains(name)) tooNew.put(name, version);
    }
    assertThat(tooNew).as("functions newer than glibc " + OLDEST + " without a fallback").isEmpty();
    assertThat(Files.readString(Path.of("src/main/dist/control"))).contains("Depends: libc6 (>= " + OLDEST + ")");
  }

  private static int compare(String a, String b) {
    String[] x = a.split("\\."), y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int d = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (d != 0) return d;
    }
    return 0;
  }
}
