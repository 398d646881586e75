package zinit.logs;

import java.io.IOException;
import java.io.FileOutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import zinit.config.LogFile;

/**
 * The file side of a {@link FileLog}: opening, appending whole segments, rotating, reopening a
 * file that was removed or replaced. Used by one writer thread at a time; not thread-safe.
 */
final class LogFileWriter {
  /** How often the path is checked for having been removed or replaced (then it is reopened). */
  private static final long RECHECK_MILLIS = 1000;

  private final Path path;
  private final LogFile settings;
  private final String service;
  private final Consumer<String> problems;
  private final Consumer<String> errors;
  private final LongSupplier clock;
  // written through a FileOutputStream: one write call per segment, where a FileChannel's write
  // goes through a dozen more methods (C1 compiles each while a flat-out service prints)
  private FileOutputStream channel;
  private Object fileKey;
  private long size;
  private long lastCheck;
  private boolean openFailed;

  /** {@code errors} gets each write, rotate or open error's description as it happens. */
  LogFileWriter(
      Path path, LogFile settings, String service, Consumer<String> problems, Consumer<String> errors, LongSupplier clock) {
    this.path = path;
    this.settings = settings;
    this.service = service;
    this.problems = problems;
    this.errors = errors;
    this.clock = clock;
  }

  /**
   * Appends {@code length} bytes of whole lines; on failure none of them stays in the file. Rotates
   * first when they would make a non-empty file larger than the limit: the producer cuts its
   * batches where the file is to be rotated, but only this side knows the size of a file that
   * existed before zinit started (finding out there would mean a stat on the producer's thread).
   */
  boolean append(byte[] bytes, int length) {
    if (channel == null && !open()) return false;
    if (size > 0 && size + length > settings.maxBytes()) {
      rotate();
      if (channel == null) return false;
    }
    long before = size;
    try {
      channel.write(bytes, 0, length);
      size += length;
      return true;
    } catch (IOException e) {
      errors.accept(describe(e));
      // a half-written segment would leave a cut line in the file: take it back
      try {
        channel.getChannel().truncate(before);
      } catch (IOException ignored) {
        // the file is unusable; reopened on the next write
        close();
      }
      return false;
    }
  }

  /** name.log.(keep-1) ... name.log one up (each rename atomic, the oldest deleted); a new file. */
  void rotate() {
    close();
    try {
      if (settings.keep() == 0) {
        Files.deleteIfExists(path);
      } else {
        // name.log.1 ... name.log.(last) exist in a row: each moves one up, the one at keep is
        // deleted (a stat per kept file only up to the first gap, not log_keep of them each time)
        int last = 0;
        while (last < settings.keep() && Files.exists(rotated(last + 1))) last++;
        if (last == settings.keep()) Files.deleteIfExists(rotated(last--));
        for (int i = last; i >= 1; i--) Files.move(rotated(i), rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
        if (Files.exists(path)) Files.move(path, rotated(1), StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      errors.accept(describe(e));
      problems.accept(service + ": cannot rotate " + path + " (" + describe(e) + "); appending to it");
    }
    open();
  }

  /** A file removed or replaced under zinit (by hand, or by an external rotation) is reopened. */
  void recheck() {
    long now = clock.getAsLong();
    if (now - lastCheck < RECHECK_MILLIS) return;
    lastCheck = now;
    if (channel != null && !Objects.equals(currentKey(), fileKey)) {
      close();
      open();
    }
  }

  void close() {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException e) {
      errors.accept(describe(e));
    }
    channel = null;
  }

  private Path rotated(int n) {
    return path.resolveSibling(path.getFileName() + "." + n);
  }

  private boolean open() {
    try {
      Path dir = path.toAbsolutePath().getParent();
      if (dir != null) Files.createDirectories(dir);
      try {
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
      } catch (FileAlreadyExistsException e) {
        // appended to
      }
      channel = new FileOutputStream(path.toFile(), true);
      size = channel.getChannel().size();
      fileKey = currentKey();
      lastCheck = clock.getAsLong();
      openFailed = false;
      return true;
    } catch (IOException e) {
      errors.accept(describe(e));
      if (!openFailed) problems.accept(service + ": cannot open " + path + ": " + describe(e));
      openFailed = true;
      channel = null;
      return false;
    }
  }

  private Object currentKey() {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null; // removed
    }
  }

  static String describe(IOException e) {
    if (e instanceof NoSuchFileException n) return "no such file or directory: " + n.getFile();
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
