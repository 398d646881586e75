package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** The provider is used here directly, never installed: the test JVM's own provider list stays as it is. */
class UnixSocketRandomTest {
  private final UnixSocketRandom provider = new UnixSocketRandom();

  @Test
  void givesTheJdksNonBlockingNativeRandom() throws Exception {
    SecureRandom random = SecureRandom.getInstance("NativePRNGNonBlocking", provider);
    assertThat(random.getProvider()).isSameAs(provider);
    assertThat(random.getAlgorithm()).isEqualTo("NativePRNGNonBlocking");
    byte[] a = new byte[32];
    byte[] b = new byte[32];
    random.nextBytes(a);
    random.nextBytes(b);
    assertThat(a).isNotEqualTo(b);
    assertThat(random.nextInt(Integer.MAX_VALUE)).isNotNegative();
  }

  @Test
  void offersNothingElseSoOtherLookupsAndTheDefaultRandomGoOnToTheRuntimesProviders() {
    assertThat(provider.getService("SecureRandom", "NativePRNG")).isNull();
    assertThat(provider.getService("MessageDigest", "SHA-256")).isNull();
    assertThat(provider.getServices()).isEmpty();
    // SecureRandom's default takes a provider's first registered SecureRandom: none here
    assertThat(provider.getProperty("SecureRandom.NativePRNGNonBlocking")).isNull();
  }
}
