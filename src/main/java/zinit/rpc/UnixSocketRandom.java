package zinit.rpc;

import java.security.Provider;
import java.util.List;
import java.util.Map;

/**
 * The one SecureRandom the JDK's Unix-domain sockets ask for, so that a CLI call need not build
 * the SUN provider for it. The first Unix socket of a JVM initialises sun.nio.ch.UnixDomainSockets,
 * which takes {@code SecureRandom.getInstance("NativePRNGNonBlocking")} (used only to name a socket
 * bound without an address, which a client never does); that built the SUN provider, its hundreds
 * of services and the KnownOIDs table, ~5 ms of every CLI call (bench/RESULTS.md, 2026-12-01).
 *
 * <p>The client's JVM lists this provider first ({@code lib/zinit-client.security}, named in
 * {@code zinit-client.jvmopts}), ahead of the runtime's own list, unchanged. It answers that one
 * algorithm with the JDK's own implementation class, the one SUN names for it, and nothing else:
 * it registers no service, so every other lookup, and the default {@code new SecureRandom()} (the
 * proxy's token), goes on to SUN as before. Were the class gone from a later JDK, getInstance
 * would fail over to SUN.
 */
public final class UnixSocketRandom extends Provider {
  private static final long serialVersionUID = 1L;

  static final String ALGORITHM = "NativePRNGNonBlocking";

  private final transient Service random =
      new Service(this, "SecureRandom", ALGORITHM, "sun.security.provider.NativePRNG$NonBlocking", List.of(), Map.of());

  public UnixSocketRandom() {
    super("ZinitUnixSocketRandom", "1", "SecureRandom." + ALGORITHM + " for the JDK's Unix-domain sockets");
  }

  @Override
  public Service getService(String type, String algorithm) {
    return "SecureRandom".equals(type) && ALGORITHM.equals(algorithm) ? random : null;
  }
}
