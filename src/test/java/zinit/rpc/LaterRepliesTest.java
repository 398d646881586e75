package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zinit.supervisor.Target;

/**
 * A stop's reply is queued by the thread that ends the stop, while the connection's reader reads
 * on: replies still come in the requests' order, and a client that half-closes after its request
 * still gets its reply.
 */
class LaterRepliesTest {
  private static final String STOP = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"service_stop\",\"params\":[\"%s\"]}\n";
  private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"service_list\"}\n";
  private Fixture f;
  private final CompletableFuture<Void> gate = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    f = new Fixture();
    f.services.with("redis", "Running", Target.Up, 7);
    f.services.stopsEndWith = gate;
  }

  @AfterEach
  void stop() throws Exception {
    gate.complete(null);
    f.close();
  }

  @Test
  void stopRepliesWhenTheStopEndsAndTheNextReplyWaitsForIt() throws Exception {
    try (RawClient c = f.client()) {
      c.send(String.format(STOP, 1, "redis") + String.format(LIST, 2));
      // the list is read meanwhile but not answered before the stop
      assertThat(c.pollLine(200, TimeUnit.MILLISECONDS)).isNull();
      CompletableFuture.runAsync(() -> gate.complete(null));
      JsonNode stop = c.reply();
      assertThat(stop.get("id").asInt()).isEqualTo(1);
      assertThat(stop.has("result")).isTrue();
      assertThat(stop.get("result").isNull()).isTrue();
      JsonNode list = c.reply();
      assertThat(list.get("id").asInt()).isEqualTo(2);
      assertThat(list.at("/result/redis").asText()).isEqualTo("Success");
    }
  }

  @Test
  void stopFailureComesBackAsTheErrorTheBlockingStopGives() throws Exception {
    try (RawClient c = f.client()) {
      c.send(String.format(STOP, 3, "nope"));
      CompletableFuture.runAsync(() -> gate.complete(null));
      String later = c.line();
      f.services.stopsEndWith = null;
      c.send(String.format(STOP, 3, "nope"));
      String blocking = c.line();
      assertThat(later).isEqualTo(blocking).contains("\"code_name\":\"ServiceNotFound\"");
    }
  }

  @Test
  void clientThatHalfClosesAfterItsStopStillGetsTheReply() throws Exception {
    try (RawClient c = f.client()) {
      c.send(String.format(STOP, 4, "redis"));
      c.endOutput();
      assertThat(c.pollLine(200, TimeUnit.MILLISECONDS)).isNull();
      gate.complete(null);
      assertThat(c.reply().get("id").asInt()).isEqualTo(4);
      c.awaitClosed();
    }
  }
}
