package zinit.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import zinit.config.LogFile;
import zinit.logs.LineFormat.Stream;

/**
 * One service's log file, with size rotation and write-error accounting.
 *
 * <p>Lines are buffered and written by {@link #flush()} (after each read of the service's pipe),
 * so the I/O thread writes a pipe's worth of lines with one write(2). While that runs the pipe is
 * not read, so a producer faster than the disk is slowed by its full pipe, never dropped.
 *
 * <p>Rotation: before a line would make the file larger than {@code maxBytes}, the buffer is
 * written, {@code name.log.(keep-1)} ... {@code name.log} are renamed one up (each rename atomic,
 * the oldest deleted) and a new file is opened. A line is never split across files.
 *
 * <p>Write errors (disk full, directory gone): the part of the batch that did get written is
 * truncated away, the batch's lines are counted as lost, and once a write succeeds again a marker
 * line with the count comes first. The service never notices.
 *
 * <p>Thread-safe: the I/O thread writes output, the supervisor's loop writes marks.
 */
public final class FileLog implements AutoCloseable {
  private static final int BUFFER = 64 * 1024;
  /** How often the path is checked for having been removed or replaced (then it is reopened). */
  private static final long RECHECK_MILLIS = 1000;

  private final Path path;
  private final LogFile settings;
  private final String service;
  private final Consumer<String> problems;
  private final LongSupplier clock;
  // all guarded by this
  private final byte[] buf = new byte[BUFFER];
  private int buffered;
  private int bufferedLines;
  private long markerCovers;
  private FileChannel channel;
  private Object fileKey;
  private long size;
  private long lastCheck;
  private long lost;
  private long unreported;
  private String error;
  private long written;
  private boolean closed;

  public FileLog(Path path, LogFile settings, String service, Consumer<String> problems, LongSupplier clock) {
    this.path = Objects.requireNonNull(path, "path");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.service = service;
    this.problems = problems;
    this.clock = clock;
    synchronized (this) {
      open();
    }
  }

  public Path path() {
    return path;
  }

  public LogFile settings() {
    return settings;
  }

  /** Lines that could not be written since zinit started (disk full, file unwritable). */
  public synchronized long lost() {
    return lost;
  }

  /** Lines written to the file (service lines and marks, not the loss markers). */
  public synchronized long written() {
    return written;
  }

  /** The last write error while it lasts, or null while writes succeed. */
  public synchronized String error() {
    return error;
  }

  /** Buffers one entry; {@link #flush()} writes it. */
  public void write(String unit, Stream stream, String text) {
    write(unit, stream, text, null);
  }

  /** As {@link #write(String, Stream, String)}, with the entry's ring form when already made. */
  synchronized void write(String unit, Stream stream, String text, String ringLineOrNull) {
    if (closed) return;
    long now = clock.getAsLong();
    if (unreported > 0 && markerCovers == 0) {
      markerCovers = unreported;
      String marker = unreported + " log lines lost (" + (error == null ? "write error" : error) + ")";
      add(format(now, service, Stream.ZINIT, marker, null), false);
    }
    add(format(now, unit, stream, text, ringLineOrNull), true);
  }

  /** Writes what is buffered; also notices a file that was removed or replaced and reopens it. */
  public synchronized void flush() {
    if (closed) return;
    writeBuffer();
    long now = clock.getAsLong();
    if (now - lastCheck >= RECHECK_MILLIS) {
      lastCheck = now;
      if (channel != null && !Objects.equals(currentKey(), fileKey)) {
        closeChannel();
        open();
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    writeBuffer();
    closeChannel();
    closed = true;
  }

  private byte[] format(long now, String unit, Stream stream, String text, String ringLineOrNull) {
    String line =
        switch (settings.format()) {
          case TEXT -> LineFormat.text(now, ringLineOrNull != null ? ringLineOrNull : LineFormat.ringLine(unit, stream, text));
          case JSON -> LineFormat.json(now, unit, stream, text);
        };
    return (line + "\n").getBytes(StandardCharsets.UTF_8);
  }

  // guarded by this
  private void add(byte[] line, boolean counts) {
    if (size + buffered > 0 && size + buffered + line.length > settings.maxBytes()) {
      writeBuffer();
      if (size > 0) rotate();
    }
    if (line.length > buf.length - buffered) writeBuffer();
    if (line.length > buf.length) {
      // longer than the buffer (possible in json, where escapes grow a cut line): written alone
      account(writeOut(line, line.length), counts ? 1 : 0, 0);
      return;
    }
    System.arraycopy(line, 0, buf, buffered, line.length);
    buffered += line.length;
    if (counts) bufferedLines++;
  }

  // guarded by this
  private void writeBuffer() {
    if (buffered == 0) return;
    boolean ok = writeOut(buf, buffered);
    account(ok, bufferedLines, markerCovers);
    buffered = 0;
    bufferedLines = 0;
    markerCovers = 0;
  }

  // guarded by this
  private void account(boolean ok, int lines, long covered) {
    if (ok) {
      written += lines;
      unreported -= covered;
      if (covered > 0 && unreported == 0) problems.accept(service + ": writing " + path + " again after " + covered + " lost log lines");
    } else {
      if (unreported == 0 && covered == 0) problems.accept(service + ": cannot write " + path + " (" + error + "); counting lost log lines");
      lost += lines;
      unreported += lines;
    }
  }

  // guarded by this
  private boolean writeOut(byte[] bytes, int length) {
    if (channel == null && !open()) return false;
    long before = size;
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
      while (b.hasRemaining()) channel.write(b);
      size += length;
      error = null;
      return true;
    } catch (IOException e) {
      error = describe(e);
      // a half-written batch would leave a cut line in the file: take it back
      try {
        channel.truncate(before);
      } catch (IOException ignored) {
        // the file is unusable; reopened on the next write
        closeChannel();
      }
      return false;
    }
  }

  // guarded by this
  private void rotate() {
    closeChannel();
    try {
      if (settings.keep() == 0) {
        Files.deleteIfExists(path);
      } else {
        Files.deleteIfExists(rotated(settings.keep()));
        for (int i = settings.keep() - 1; i >= 1; i--) {
          Path from = rotated(i);
          if (Files.exists(from)) Files.move(from, rotated(i + 1), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(path, rotated(1), StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      error = describe(e);
      problems.accept(service + ": cannot rotate " + path + " (" + error + "); appending to it");
    }
    open();
  }

  private Path rotated(int n) {
    return path.resolveSibling(path.getFileName() + "." + n);
  }

  // guarded by this
  private boolean open() {
    try {
      Path dir = path.toAbsolutePath().getParent();
      if (dir != null) Files.createDirectories(dir);
      channel =
          FileChannel.open(
              path,
              java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
      size = channel.size();
      fileKey = currentKey();
      lastCheck = clock.getAsLong();
      return true;
    } catch (IOException e) {
      if (error == null) problems.accept(service + ": cannot open " + path + ": " + describe(e));
      error = describe(e);
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

  // guarded by this
  private void closeChannel() {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException e) {
      error = describe(e);
    }
    channel = null;
  }

  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException n) return "no such file or directory: " + n.getFile();
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
