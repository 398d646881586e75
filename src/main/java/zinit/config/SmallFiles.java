package zinit.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a small text file that a service file is, or names (env_file): only a regular file (a
 * link to one is fine), and never more than a bound. A FIFO would block the reader in open()
 * until some writer comes (at boot: zinit never answers), and a device such as /dev/zero never
 * ends (its size says 0, so a size check alone lets it fill the heap).
 *
 * <p>Left open: a file swapped for a FIFO between the check and the open, which needs write access
 * to the directory that holds it, and a regular file that stats as non-empty and then blocks its
 * reader (a hung network or FUSE file system).
 */
final class SmallFiles {
  private SmallFiles() {}

  /** A read refused for what the file is, not for an I/O error; the message says why. */
  static final class Refused extends IOException {
    Refused(String message) {
      super(message);
    }
  }

  /**
   * The file's text, strictly UTF-8 ({@link java.nio.charset.CharacterCodingException} otherwise).
   *
   * @throws Refused when it is not a regular file or holds more than {@code max} bytes (also when
   *     it grew past that while being read)
   */
  static String read(Path file, int max) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    if (!a.isRegularFile()) throw new Refused("not a regular file (" + kind(a) + ")");
    if (a.size() > max) throw new Refused("file is larger than " + max + " bytes");
    // Empty, as far as the file system says: not opened. Files of procfs (and the like) say 0
    // whatever they hold, and some never end or block the reader (/proc/kmsg waits for the
    // kernel's next message, and takes it from syslog's reader).
    if (a.size() == 0) return "";
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(max + 1);
    }
    if (bytes.length > max) throw new Refused("file is larger than " + max + " bytes");
    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
  }

  private static String kind(BasicFileAttributes a) {
    if (a.isDirectory()) return "a directory";
    if (a.isOther()) return "a FIFO, socket or device";
    return "not a file";
  }
}
