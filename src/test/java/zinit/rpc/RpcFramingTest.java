package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zinit.supervisor.Target;

/** How requests are cut from the byte stream: batches, notifications, garbage, oversized input. */
class RpcFramingTest {
  private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"service_list\"}";
  private Fixture f;

  @BeforeEach
  void start() throws Exception {
    f = new Fixture();
    f.services.with("redis", "Running", Target.Up, 7);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static String list(int id) {
    return String.format(LIST, id);
  }

  @Test
  void batchRepliesInOneArrayLeavingOutNotifications() throws Exception {
    try (RawClient c = f.client()) {
      JsonNode reply =
          c.call("[" + list(1) + ",{\"jsonrpc\":\"2.0\",\"method\":\"service_list\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}]");
      assertThat(reply.isArray()).isTrue();
      assertThat(reply.size()).isEqualTo(2);
      assertThat(reply.get(0).at("/result/redis").asText()).isEqualTo("Running");
      assertThat(reply.get(1).at("/error/code").asInt()).isEqualTo(-32601);
    }
  }

  @Test
  void notificationsAndAllNotificationBatchesGetNoReply() throws Exception {
    try (RawClient c = f.client()) {
      c.send("{\"jsonrpc\":\"2.0\",\"method\":\"service_stop\",\"params\":[\"redis\"]}\n");
      c.send("{\"jsonrpc\":\"2.0\",\"method\":\"no_such_method\"}\n");
      c.send("[{\"jsonrpc\":\"2.0\",\"method\":\"service_list\"}]\n");
      JsonNode reply = c.call(list(9));
      assertThat(reply.get("id").asInt()).isEqualTo(9);
      assertThat(reply.at("/result/redis").asText()).isEqualTo("Success");
    }
  }

  @Test
  void backToBackRequestsWithoutNewlinesAreAnsweredInOrder() throws Exception {
    try (RawClient c = f.client()) {
      c.send(list(1) + list(2) + "[" + list(3) + "]  " + list(4) + "\n");
      assertThat(c.reply().get("id").asInt()).isEqualTo(1);
      assertThat(c.reply().get("id").asInt()).isEqualTo(2);
      assertThat(c.reply().get(0).get("id").asInt()).isEqualTo(3);
      assertThat(c.reply().get("id").asInt()).isEqualTo(4);
    }
  }

  @Test
  void aRequestSplitAcrossWritesIsReassembled() throws Exception {
    try (RawClient c = f.client()) {
      String req = list(5);
      c.send(req.substring(0, 17));
      c.send(req.substring(17));
      assertThat(c.reply().get("id").asInt()).isEqualTo(5);
    }
  }

  @Test
  void bracketsInsideStringsDoNotEndARequest() throws Exception {
    try (RawClient c = f.client()) {
      JsonNode reply = c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_status\",\"params\":[\"a}]{\\\"[\"]}");
      assertThat(reply.at("/error/code").asInt()).isEqualTo(-32000);
    }
  }

  @Test
  void garbageIsAParseErrorAndTheConnectionStaysUsable() throws Exception {
    try (RawClient c = f.client()) {
      JsonNode e1 = c.call("this is not json");
      assertThat(e1.at("/error/code").asInt()).isEqualTo(-32700);
      assertThat(e1.get("id").isNull()).isTrue();
      assertThat(c.call("{\"jsonrpc\": oops}").at("/error/code").asInt()).isEqualTo(-32700);
      assertThat(c.call("}").at("/error/code").asInt()).isEqualTo(-32700);
      assertThat(c.call(list(3)).get("id").asInt()).isEqualTo(3);
    }
  }

  @Test
  void binaryNoiseAndDeepNestingDoNotHurtTheServerOrOtherClients() throws Exception {
    try (RawClient other = f.client(); RawClient noisy = f.client()) {
      byte[] noise = new byte[100_000];
      new Random(42).nextBytes(noise);
      for (int i = 0; i < noise.length; i++) if (noise[i] == '{' || noise[i] == '[') noise[i] = 'x';
      noisy.sendBytes(noise);
      noisy.send("\n" + "[".repeat(5000) + "]".repeat(5000) + "\n");
      noisy.send(list(77) + "\n");
      JsonNode last;
      do last = noisy.reply(); while (!last.path("id").isInt());
      assertThat(last.get("id").asInt()).isEqualTo(77);
      assertThat(other.call(list(1)).at("/result/redis").asText()).isEqualTo("Running");
    }
  }

  @Test
  void unfinishedGarbageAtEndOfInputGetsAParseErrorThenClose() throws Exception {
    RawClient gone = f.client();
    gone.send("nope");
    gone.close();
    try (RawClient c = f.client()) {
      c.send("garbage-without-newline");
      c.endOutput();
      assertThat(c.reply().at("/error/code").asInt()).isEqualTo(-32700);
      c.awaitClosed();
    }
  }

  @Test
  void oversizedRequestIsRefusedAndClosedWhileOthersAreServed() throws Exception {
    try (RawClient big = f.client(); RawClient other = f.client()) {
      byte[] huge = new byte[3 << 20];
      Arrays.fill(huge, (byte) 'a');
      byte[] head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\",\"x\":\"".getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(head, 0, huge, 0, head.length);
      Thread writer =
          Thread.ofVirtual().start(() -> {
            try {
              big.sendBytes(huge);
            } catch (IOException expected) {
              // the server closes the connection part way
            }
          });
      JsonNode e = big.reply();
      assertThat(e.at("/error/code").asInt()).isEqualTo(-32600);
      assertThat(e.at("/error/message").asText()).contains("larger than 1048576 bytes");
      big.awaitClosed();
      writer.join();
      assertThat(other.call(list(2)).get("id").asInt()).isEqualTo(2);
    }
    try (RawClient fresh = f.client()) {
      assertThat(fresh.call(list(3)).get("id").asInt()).isEqualTo(3);
    }
  }
}
