package zinit.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The slow-header attacker of issue 12, run as its own process (as `nobody`) by StarvationIT:
 * {@code SlowClients HOST PORT CLIENTS SECONDS}. Each client connects, sends the start of a
 * request and then one more header line every two seconds, reconnecting whenever the server
 * closes on it, until the time is up. Prints how many connections it made and lost.
 */
public final class SlowClients {
  private SlowClients() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int clients = Integer.parseInt(args[2]);
    long end = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[3])).toNanos();
    AtomicLong connected = new AtomicLong();
    AtomicLong lost = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      threads.add(Thread.ofVirtual().start(() -> {
        while (System.nanoTime() < end) {
          try (Socket s = new Socket(host, port)) {
            connected.incrementAndGet();
            OutputStream out = s.getOutputStream();
            out.write("POST / HTTP/1.1\r\nHost: victim\r\n".getBytes());
            while (System.nanoTime() < end) {
              Thread.sleep(2000);
              out.write("X-Slow: 1\r\n".getBytes());
            }
          } catch (IOException e) {
            lost.incrementAndGet();
            pause(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }));
    }
    for (Thread t : threads) t.join();
    System.out.println("connected " + connected + " lost " + lost);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
