package zinit.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** TEMPORARY STUB until branch wt-config lands the real ring; same public signatures. */
public final class LogRing {
  private final int capacity;
  private final List<String> lines = new ArrayList<>();
  private final List<Sub> subs = new CopyOnWriteArrayList<>();

  public LogRing(int capacity) {
    this.capacity = capacity;
  }

  public synchronized void appendLine(String line) {
    lines.add(line);
    if (lines.size() > capacity) lines.remove(0);
    for (Sub s : subs) if (matches(line, s.filter)) s.offer(line);
  }

  public synchronized List<String> snapshot(String serviceOrNull) {
    return lines.stream().filter(l -> matches(l, serviceOrNull)).toList();
  }

  public Subscription subscribe(String serviceOrNull, int maxQueued) {
    return subscribe(serviceOrNull, maxQueued, false);
  }

  public synchronized Subscription subscribe(String serviceOrNull, int maxQueued, boolean withHistory) {
    Sub s = new Sub(serviceOrNull, maxQueued);
    if (withHistory) for (String l : snapshot(serviceOrNull)) s.offer(l);
    subs.add(s);
    return s;
  }

  static boolean matches(String line, String f) {
    return f == null || (line.startsWith(f, 4) && line.length() > 4 + f.length() && line.charAt(4 + f.length()) == ':');
  }

  public interface Subscription extends AutoCloseable {
    String take() throws InterruptedException;

    String poll(long timeout, TimeUnit unit) throws InterruptedException;

    long dropped();

    @Override
    void close();
  }

  private final class Sub implements Subscription {
    final String filter;
    final ArrayBlockingQueue<String> q;
    volatile boolean closed;
    long dropped;

    Sub(String filter, int max) {
      this.filter = filter;
      this.q = new ArrayBlockingQueue<>(max + 10000);
    }

    synchronized void offer(String l) {
      while (!q.offer(l)) {
        q.poll();
        dropped++;
      }
    }

    @Override
    public String take() throws InterruptedException {
      while (!closed) {
        String l = q.poll(50, TimeUnit.MILLISECONDS);
        if (l != null) return l;
      }
      return null;
    }

    @Override
    public String poll(long timeout, TimeUnit unit) throws InterruptedException {
      return closed ? null : q.poll(timeout, unit);
    }

    @Override
    public synchronized long dropped() {
      return dropped;
    }

    @Override
    public void close() {
      closed = true;
      subs.remove(this);
    }
  }
}
