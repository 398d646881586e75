package zinit.logs;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import zinit.config.LogFile;
import zinit.config.ServiceConfig;
import zinit.logs.LineFormat.Stream;

/**
 * Every service's log destinations beyond the ring: the files of {@code log: file} services, and
 * the line counters metrics report. One per daemon. Thread-safe.
 */
public final class ServiceLogs implements AutoCloseable {
  private final LogRing ring;
  private final Path logDir;
  private final Consumer<String> problems;
  private final LongSupplier clock;
  private final Map<String, FileLog> files = new ConcurrentHashMap<>();
  private final Map<String, LongAdder[]> counts = new ConcurrentHashMap<>();
  private volatile Counters lastCounters; // the counters count() used last

  /** What metrics and status show of one service's file. */
  public record FileStatus(Path path, long written, long lost, String errorOrNull) {}

  public ServiceLogs(LogRing ring, Path logDir, Consumer<String> problems, LongSupplier clock) {
    this.ring = ring;
    this.logDir = logDir;
    this.problems = problems;
    this.clock = clock;
  }

  /** A line of a ring-logged unit ("web" or "web/test"): into the ring, counted. */
  public void line(String unit, boolean stderr, String text) {
    count(unit, stderr);
    ring.append(unit, stderr, text);
  }

  /** A line of a {@code log: file} service: into its file and the ring, counted. */
  public void line(FileLog file, String unit, boolean stderr, String text) {
    count(unit, stderr);
    String ringLine = LogRing.format(unit, stderr, text);
    file.write(unit, stderr ? Stream.STDERR : Stream.STDOUT, text, ringLine);
    ring.appendLine(ringLine);
  }

  /**
   * The file of {@code config}'s service, opened on first use and kept across restarts (so its
   * loss count lasts); a changed path or setting (after forget and monitor) opens a new one.
   */
  public FileLog file(ServiceConfig config) {
    LogFile settings = config.logFile();
    if (settings == null) throw new IllegalArgumentException(config.name() + " does not log to a file");
    Path path = settings.path(logDir, config.name());
    return files.compute(
        config.name(),
        (name, old) -> {
          if (old != null && old.path().equals(path) && old.settings().equals(settings)) return old;
          if (old != null) old.close();
          return new FileLog(path, settings, name, problems, clock);
        });
  }

  /** zinit's mark about a service (start, exit) into its file, if it has one; the ring has it already. */
  public void mark(ServiceConfig config, String text) {
    if (config.logFile() == null) return;
    FileLog f = file(config);
    f.write(config.name(), Stream.ZINIT, text);
    f.flush(null);
  }

  /** Lines per service, {@code [stdout, stderr]}, sorted by service. */
  public Map<String, long[]> lineCounts() {
    Map<String, long[]> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, new long[] {v[0].sum(), v[1].sum()}));
    return out;
  }

  /** The file state of every service that has one, sorted by service. */
  public Map<String, FileStatus> fileStatus() {
    Map<String, FileStatus> out = new TreeMap<>();
    files.forEach((k, f) -> out.put(k, new FileStatus(f.path(), f.written(), f.lost(), f.error())));
    return out;
  }

  /** Writes out and closes every file (at exit: nothing buffered is lost). */
  @Override
  public void close() {
    files.values().forEach(FileLog::close);
  }

  private void count(String unit, boolean stderr) {
    // A flat-out service sends the same unit String line after line: its counters are looked up
    // once, not per line. A stale or raced cache only costs a lookup.
    Counters c = lastCounters;
    if (c == null || c.unit != unit) {
      int slash = unit.indexOf('/');
      String service = slash < 0 ? unit : unit.substring(0, slash);
      c = new Counters(unit, counts.computeIfAbsent(service, k -> new LongAdder[] {new LongAdder(), new LongAdder()}));
      lastCounters = c;
    }
    c.adders[stderr ? 1 : 0].increment();
  }

  private record Counters(String unit, LongAdder[] adders) {}

}
