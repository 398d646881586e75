package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import zinit.guard.ByteBudget;

/** Issue 12: what one client, or many, can make the socket server hold is bounded. */
class RpcBoundsTest {
  private static Limits limits(int connections, int privilegedExtra, long requestMillis, ByteBudget budget) {
    return new Limits(1 << 20, 1 << 20, 30_000, 16, 2048, 1 << 20, connections, privilegedExtra, requestMillis, budget, 8);
  }

  @Test
  void duplicateKeysAreAnInvalidRequestAndRunNothing() throws Exception {
    try (Fixture f = new Fixture(); RawClient c = f.client()) {
      JsonNode r = c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\",\"method\":\"system_shutdown\"}");
      assertThat(r.at("/error/code").asInt()).isEqualTo(-32600);
      assertThat(r.at("/error/message").asText()).contains("Duplicate field 'method'");
      assertThat(f.services.calls).doesNotContain("shutdown");
    }
  }

  @Test
  void nonFiniteIdIsAnInvalidRequest() throws Exception {
    try (Fixture f = new Fixture(); RawClient c = f.client()) {
      JsonNode r = c.call("{\"jsonrpc\":\"2.0\",\"id\":1.5e400,\"method\":\"service_list\"}");
      assertThat(r.at("/error/code").asInt()).isEqualTo(-32600);
      assertThat(r.get("id").isNull()).isTrue();
      assertThat(r.at("/error/message").asText()).isEqualTo("id must be a finite number");
    }
  }

  @Test
  void batchWhoseRepliesWouldExceedTheLimitGetsOneErrorAndTheConnectionLivesOn() throws Exception {
    try (Fixture f = new Fixture(); RawClient c = f.client()) {
      StringBuilder batch = new StringBuilder("[");
      for (int i = 0; i < 19_000; i++) {
        if (i > 0) batch.append(',');
        batch.append("{\"jsonrpc\":\"2.0\",\"id\":").append(i).append(",\"method\":\"rpc.discover\"}");
      }
      batch.append(']');
      assertThat(batch.length()).isLessThan(1 << 20);
      JsonNode r = c.call(batch.toString());
      assertThat(r.isObject()).as("one error, not an array of replies: %s", r).isTrue();
      assertThat(r.at("/error/code").asInt()).isEqualTo(-32600);
      assertThat(r.at("/error/message").asText()).contains("batch replies exceed the limit of 1048576 bytes");
      assertThat(c.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"service_list\"}").has("result")).isTrue();
    }
  }

  @Test
  void connectionsPastTheCapAreRefusedAtOnceWithOneLogLinePerEpisode() throws Exception {
    // the test runs as root or as zinit's own user: privileged, so the cap is 3 + 1
    try (Fixture f = new Fixture(limits(3, 1, 30_000, new ByteBudget(1 << 24)), null)) {
      List<RawClient> held = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          RawClient c = f.client();
          held.add(c);
          assertThat(c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}").has("result")).isTrue();
        }
        for (int i = 0; i < 5; i++) {
          try (RawClient refused = f.client()) {
            JsonNode r = refused.reply();
            assertThat(r.at("/error/message").asText()).contains("too many connections");
            refused.awaitClosed();
          }
        }
        assertThat(f.serverLog.stream().filter(l -> l.contains("refusing new ones"))).hasSize(1);
        held.removeFirst().close();
        RawClient again = connectWhenAdmitted(f);
        held.add(again);
        assertThat(f.serverLog).anyMatch(l -> l.contains("accepting connections again"));
      } finally {
        for (RawClient c : held) c.close();
      }
    }
  }

  /** The server notices a closed connection a moment after the client closes it. */
  private static RawClient connectWhenAdmitted(Fixture f) throws Exception {
    for (int attempt = 0; attempt < 100; attempt++) {
      RawClient c = f.client();
      sendUnlessClosed(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}\n".getBytes());
      JsonNode r = c.reply();
      if (r.has("result")) return c;
      c.close();
      Thread.sleep(50);
    }
    throw new AssertionError("never admitted after a slot was freed");
  }

  @Test
  void halfSentRequestsTogetherStayWithinTheBudgetAndGiveItBack() throws Exception {
    ByteBudget budget = new ByteBudget(4 << 20);
    try (Fixture f = new Fixture(limits(64, 8, 30_000, budget), null)) {
      byte[] half = new byte[(1 << 20) - 100];
      Arrays.fill(half, (byte) 'x');
      byte[] start = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"".getBytes();
      System.arraycopy(start, 0, half, 0, start.length);
      List<RawClient> clients = new ArrayList<>();
      int busy = 0;
      try {
        for (int i = 0; i < 12; i++) {
          RawClient c = f.client();
          clients.add(c);
          sendUnlessClosed(c, half);
        }
        // the ones the budget cannot hold were told so and closed; the others wait for the rest
        for (RawClient c : clients) sendUnlessClosed(c, "\"}\n".getBytes());
        for (RawClient c : clients) {
          JsonNode r = c.reply();
          if (r.at("/error/message").asText().contains("zinit is busy")) busy++;
          assertThat(budget.used()).isLessThanOrEqualTo(budget.capacity());
        }
        assertThat(busy).as("requests refused for lack of budget").isGreaterThan(0);
      } finally {
        for (RawClient c : clients) c.close();
      }
      long end = System.nanoTime() + 20_000_000_000L;
      while (budget.used() > 0 && System.nanoTime() < end) Thread.sleep(20);
      assertThat(budget.used()).isZero();
      try (RawClient c = f.client()) {
        assertThat(c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}").has("result")).isTrue();
      }
    }
  }

  private static void sendUnlessClosed(RawClient c, byte[] bytes) {
    try {
      c.sendBytes(bytes);
    } catch (java.io.IOException closedByServer) {
      // refused: its reply says why
    }
  }

  @Test
  void requestNotFinishedInTimeClosesTheConnection() throws Exception {
    try (Fixture f = new Fixture(limits(64, 8, 300, new ByteBudget(1 << 24)), null); RawClient c = f.client()) {
      c.send("{\"jsonrpc\":\"2.0\",\"id\":1,");
      c.awaitClosed();
      assertThat(f.serverLog).anyMatch(l -> l.contains("did not finish its request within"));
    }
  }
}
