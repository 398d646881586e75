package zinit.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** zinit's own process figures, as Prometheus' standard {@code process_*} metrics want them. */
public final class SelfStats {
  private SelfStats() {}

  /**
   * @param startTimeSeconds when this process started, in seconds since the epoch
   */
  public record Figures(long residentBytes, double cpuSeconds, int openFds, double startTimeSeconds) {}

  private static volatile Double bootTime;

  public static Figures read() {
    int pid = Libc.getpid();
    ProcFs.Stat stat =
        ProcFs.stat(pid).orElseThrow(() -> new IllegalStateException("/proc/" + pid + "/stat unreadable"));
    double tck = ProcFs.Units.CLK_TCK;
    return new Figures(
        ProcFs.rssBytes(pid),
        (stat.utime() + stat.stime()) / tck,
        openFds(),
        bootTime() + stat.starttime() / tck);
  }

  private static int openFds() {
    int n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(ProcFs.PROC.resolve("self/fd"))) {
      for (Path ignored : fds) n++;
    } catch (IOException e) {
      return -1;
    }
    return Math.max(0, n - 1); // the directory stream's own descriptor
  }

  /** btime of /proc/stat: the boot time in seconds since the epoch (it never changes). */
  private static double bootTime() {
    Double b = bootTime;
    if (b != null) return b;
    String stat = ProcFs.read(ProcFs.PROC.resolve("stat")).orElse("");
    for (String line : stat.split("\n")) {
      if (line.startsWith("btime ")) {
        b = Double.parseDouble(line.substring(6).trim());
        bootTime = b;
        return b;
      }
    }
    throw new IllegalStateException("no btime in /proc/stat");
  }
}
