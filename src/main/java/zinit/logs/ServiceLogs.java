package zinit.logs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
  private final Map<String, AtomicLong[]> counts = new ConcurrentHashMap<>();
  private final Map<String, Unit> units = new ConcurrentHashMap<>();
  private volatile Unit lastUnit; // the unit counted() gave last

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
    ring.appendLine(counted(unit, stderr, 1).ringLine(stderr, text));
  }

  /** The lines of one read of a ring-logged unit's pipe: into the ring, counted. */
  public void lines(String unit, boolean stderr, LineBatch batch) {
    Unit u = counted(unit, stderr, batch.count());
    ring.appendLines(stderr ? u.errPrefix : u.outPrefix, batch);
  }

  /**
   * The lines of one read of a {@code log: file} service's pipe: into its file and the ring,
   * counted, each as bytes (one lock of each for the batch, no String per line).
   */
  public void lines(FileLog file, String unit, boolean stderr, LineBatch batch) {
    Unit u = counted(unit, stderr, batch.count());
    file.write(unit, stderr ? Stream.STDERR : Stream.STDOUT, stderr ? u.errHead : u.outHead, batch);
    ring.appendLines(stderr ? u.errPrefix : u.outPrefix, batch);
  }

  /** A line of a {@code log: file} service: into its file and the ring, counted. */
  public void line(FileLog file, String unit, boolean stderr, String text) {
    String ringLine = counted(unit, stderr, 1).ringLine(stderr, text);
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

  /**
   * The forgotten service {@code name}'s file, if it has one, is written out and closed; a line that
   * comes later (its last output, read after the forget) opens it again. Kept with its counts, so
   * a service monitored again under the name goes on in the same file.
   */
  public void release(String name) {
    FileLog f = files.get(name);
    if (f != null) f.release();
  }

  /** Lines per service, {@code [stdout, stderr]}, sorted by service. */
  public Map<String, long[]> lineCounts() {
    Map<String, long[]> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, new long[] {v[0].get(), v[1].get()}));
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

  /** The unit's counters and ring prefixes, its {@code lines} counted. */
  private Unit counted(String unit, boolean stderr, int lines) {
    // A flat-out service sends the same unit String line after line: it is looked up once, not
    // per line. A stale or raced cache only costs a lookup.
    Unit u = lastUnit;
    if (u == null || u.name != unit) {
      u = units.computeIfAbsent(unit, this::newUnit);
      lastUnit = u;
    }
    // AtomicLong, not LongAdder: one add per pipe read, nearly always from the I/O thread, so no
    // contention to spread; its getAndAdd is one instruction under C1, where LongAdder's path was
    // five more methods to compile during a fresh daemon's first burst of output.
    u.lines[stderr ? 1 : 0].addAndGet(lines);
    return u;
  }

  private Unit newUnit(String unit) {
    int slash = unit.indexOf('/');
    String service = slash < 0 ? unit : unit.substring(0, slash);
    AtomicLong[] lines = counts.computeIfAbsent(service, k -> new AtomicLong[] {new AtomicLong(), new AtomicLong()});
    String out = LogRing.format(unit, false, "");
    String err = LogRing.format(unit, true, "");
    return new Unit(unit, lines, out, err, out.getBytes(StandardCharsets.UTF_8), err.getBytes(StandardCharsets.UTF_8));
  }

  /** A unit's line counters (its service's) and the ring's prefixes of its lines, also as bytes. */
  private record Unit(String name, AtomicLong[] lines, String outPrefix, String errPrefix, byte[] outHead, byte[] errHead) {
    /** {@link LogRing#format}'s result, from the prefix made once. */
    String ringLine(boolean stderr, String text) {
      return (stderr ? errPrefix : outPrefix).concat(text);
    }
  }

}
