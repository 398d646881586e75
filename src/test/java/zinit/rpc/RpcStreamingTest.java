package zinit.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import zinit.supervisor.Target;

/** Log subscriptions: the jsonrpsee convention, filters, and clients that read slowly or never. */
class RpcStreamingTest {
  private static final String SUB = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"stream_subscribeLogs\",\"params\":%s}";

  @Test
  void subscriptionRepliesWithAnIdThenNotifiesEachLine() throws Exception {
    try (Fixture f = new Fixture(); RawClient c = f.client()) {
      JsonNode reply = c.call(String.format(SUB, 1, "[\"redis\"]"));
      long id = reply.get("result").asLong();
      f.logs.append("other", false, "not for us");
      f.logs.append("redis", false, "ready");
      JsonNode note = c.reply();
      assertThat(note.has("id")).isFalse();
      assertThat(note.get("jsonrpc").asText()).isEqualTo("2.0");
      assertThat(note.get("method").asText()).isEqualTo("stream_subscribeLogs");
      assertThat(note.at("/params/subscription").asLong()).isEqualTo(id);
      assertThat(note.at("/params/result").asText()).isEqualTo("[+] redis: ready");
    }
  }

  @Test
  void historyComesFirstWithoutGapOrRepeat() throws Exception {
    try (Fixture f = new Fixture(); RawClient c = f.client()) {
      f.logs.append("a", false, "old");
      c.call(String.format(SUB, 1, "{\"history\":true}"));
      f.logs.append("a", false, "new");
      assertThat(c.reply().at("/params/result").asText()).isEqualTo("[+] a: old");
      assertThat(c.reply().at("/params/result").asText()).isEqualTo("[+] a: new");
    }
  }

  @Test
  void unsubscribeEndsTheStream() throws Exception {
    try (Fixture f = new Fixture(); RawClient c = f.client()) {
      f.services.with("x", "Running", Target.Up, 1);
      long id = c.call(String.format(SUB, 1, "[]")).get("result").asLong();
      String unsub = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"stream_unsubscribeLogs\",\"params\":[%d]}";
      assertThat(c.call(String.format(unsub, 2, id)).get("result").asBoolean()).isTrue();
      assertThat(c.call(String.format(unsub, 3, id)).get("result").asBoolean()).isFalse();
      f.logs.append("x", false, "after unsubscribe");
      JsonNode next = c.call("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"service_list\"}");
      assertThat(next.get("id").asInt()).isEqualTo(4);
    }
  }

  @Test
  void subscriptionsEndWithTheirConnection() throws Exception {
    try (Fixture f = new Fixture()) {
      try (RawClient c = f.client()) {
        c.call(String.format(SUB, 1, "[]"));
      }
      try (RawClient c = f.client()) {
        c.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"service_list\"}");
      }
      // the ring forgets a closed connection's queue: appending stays cheap and nothing leaks
      for (int i = 0; i < 10_000; i++) f.logs.append("x", false, "line " + i);
    }
  }

  @Test
  void aSubscriberThatKeepsReadingGetsEveryLineOfABurstInOrder() throws Exception {
    int n = 20_000;
    Limits limits = new Limits(1 << 20, 1 << 20, 30_000, 4, n + 1);
    try (Fixture f = new Fixture(limits, null); RawClient c = f.client()) {
      c.call(String.format(SUB, 1, "[\"burst\"]"));
      for (int i = 0; i < n; i++) f.logs.append("burst", i % 2 == 1, "line " + i + " \"quoted\" \t tab");
      for (int i = 0; i < n; i++) {
        String expected = (i % 2 == 1 ? "[-]" : "[+]") + " burst: line " + i + " \"quoted\" \t tab";
        assertThat(c.reply().at("/params/result").asText()).isEqualTo(expected);
      }
    }
  }

  @Test
  void aSlowSubscriberSkipsAheadAndIsToldHowMuch() throws Exception {
    Limits limits = new Limits(1 << 20, 4096, 60_000, 4, 16);
    try (Fixture f = new Fixture(limits, null); RawClient slow = f.client()) {
      slow.call(String.format(SUB, 1, "[]"));
      slow.pause();
      String pad = "x".repeat(200);
      for (int i = 0; i < 5_000; i++) f.logs.append("svc", false, i + " " + pad);
      f.logs.append("svc", false, "last");
      slow.resume();
      List<String> got = new ArrayList<>();
      String line;
      do {
        JsonNode n = slow.reply();
        line = n.has("params") ? n.at("/params/result").asText() : "";
        got.add(line);
      } while (!line.equals("[+] svc: last"));
      assertThat(got).anyMatch(l -> l.matches("\\[-\\] zinit: \\d+ log lines skipped.*"));
      assertThat(got.size()).isLessThan(5_000);
    }
  }

  @Test
  void aClientThatNeverReadsIsDroppedWithoutBlockingOthers() throws Exception {
    Limits limits = new Limits(1 << 20, 4096, 300, 4, 16);
    try (Fixture f = new Fixture(limits, null); RawClient deaf = RawClient.connectDeaf(f.socket); RawClient other = f.client()) {
      f.services.with("x", "Running", Target.Up, 1);
      deaf.send(String.format(SUB, 1, "[]") + "\n");
      String pad = "y".repeat(500);
      long deadline = System.nanoTime() + 30_000_000_000L;
      int id = 0;
      while (f.serverLog.stream().noneMatch(l -> l.contains("dropping connection")) && System.nanoTime() < deadline) {
        for (int i = 0; i < 500; i++) f.logs.append("x", false, pad);
        JsonNode reply = other.call("{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"service_list\"}");
        assertThat(reply.get("id").asInt()).isEqualTo(id);
      }
      assertThat(f.serverLog).anyMatch(l -> l.contains("dropping connection") && l.contains("does not read"));
      assertThat(other.call("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"service_list\"}").has("result")).isTrue();
    }
  }

  @Test
  void subscriptionsPerConnectionAreBounded() throws Exception {
    Limits limits = new Limits(1 << 20, 1 << 20, 30_000, 2, 16);
    try (Fixture f = new Fixture(limits, null); RawClient c = f.client()) {
      c.call(String.format(SUB, 1, "[]"));
      c.call(String.format(SUB, 2, "[]"));
      assertThat(c.call(String.format(SUB, 3, "[]")).at("/error/message").asText()).contains("at most 2 subscriptions");
    }
  }
}
