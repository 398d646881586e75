package zinit.daemon;

import java.net.InetAddress;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Loads at start what the JDK would otherwise load on first use from a file it opens then, so
 * that a first use while all fds are taken (by an attack, or a service's leak) cannot fail, and
 * fail for good: a class whose initialisation failed stays unusable for the life of the JVM.
 */
final class Preload {
  private Preload() {}

  static void jdk() {
    // time-zone rules (lib/tzdb.dat), for the local zone and for HTTP-style dates in GMT
    ZonedDateTime now = ZonedDateTime.now(ZoneId.systemDefault());
    DateTimeFormatter.RFC_1123_DATE_TIME.format(now.withZoneSameInstant(ZoneOffset.UTC));
    DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(now);
    ZoneId.of("GMT").getRules();
    // the loopback address and the resolver's own setup, used when the HTTP server starts
    InetAddress.getLoopbackAddress();
  }
}
