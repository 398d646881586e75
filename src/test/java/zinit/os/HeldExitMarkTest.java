package zinit.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zinit.config.ConfigLoader;
import zinit.config.ServiceConfig;
import zinit.supervisor.ConfigSource;
import zinit.supervisor.LogSink;
import zinit.supervisor.LoopScheduler;
import zinit.supervisor.Supervisor;
import zinit.supervisor.ZinitException;

/** A real supervisor on a real host, with a log destination that is behind (its pipe paused). */
class HeldExitMarkTest {
  /**
   * The oneshot's last lines wait in its paused pipe, behind its end, while the destination is
   * behind (a log file's writer on a slow disk). The held exit mark looks at most 50 times (5 s)
   * before it is written regardless; it must still come after every line here: no process holds
   * the pipe any more, and epoll reports a pipe whose writers are gone (EPOLLHUP) even while it is
   * paused, so the reader takes what is left and its end (at most a pipe's worth) at once.
   */
  @Test
  void anExitMarkWaitsForThePausedPipeOfAProcessThatIsGone(@TempDir Path dir) throws Exception {
    List<String> out = Collections.synchronizedList(new ArrayList<>());
    List<Runnable> resumes = new ArrayList<>();
    boolean[] behind = {true};
    LogSink sink = new LogSink() {
      @Override
      public void line(String unit, boolean stderr, String text) {
        out.add(unit + ": " + text);
      }

      @Override
      public void zinit(String message) {
        out.add("zinit: " + message);
      }

      @Override
      public Output output(ServiceConfig config) {
        return new Output() {
          @Override
          public void line(String unit, boolean stderr, String text) {
            out.add(unit + ": " + text);
          }

          @Override
          public boolean flush(Runnable resume) {
            synchronized (resumes) {
              if (!behind[0]) return true;
              resumes.add(resume);
              return false;
            }
          }
        };
      }
    };
    Path file = dir.resolve("t.yaml");
    // the sleep: lines read before the start mark are held in memory, never paused
    Files.writeString(file, "exec: sh -c 'sleep 0.3; seq 1 5000'\noneshot: true\n");
    ServiceConfig config = ConfigLoader.load(file, w -> {});
    try (OsTesting.TestHost host = OsTesting.host(false); LoopScheduler loop = new LoopScheduler()) {
      Supervisor supervisor = new Supervisor(host.host(), loop, sink, new ConfigSource() {
        @Override
        public ServiceConfig load(String name) throws ZinitException {
          throw new ZinitException.NotFound(name);
        }

        @Override
        public ConfigLoader.LoadResult loadAll() {
          return new ConfigLoader.LoadResult(java.util.Map.of(), List.of());
        }

        @Override
        public java.util.Map<String, String> environment(ServiceConfig c) {
          return java.util.Map.of("PATH", "/usr/bin:/bin");
        }
      });
      supervisor.load(List.of(config));
      long end = System.nanoTime() + 30_000_000_000L;
      while (!supervisor.status("t").state().equals("Success") && System.nanoTime() < end) Thread.sleep(20);
      assertThat(supervisor.status("t").state()).isEqualTo("Success");
      Thread.sleep(6000); // past the 50 looks
      synchronized (resumes) {
        behind[0] = false;
        resumes.forEach(Runnable::run);
        resumes.clear();
      }
      while (!out.contains("zinit: t: exited (exit code 0), not restarted") && System.nanoTime() < end) Thread.sleep(20);
      while (!out.contains("t: 5000") && System.nanoTime() < end) Thread.sleep(20);
      List<String> mine = new ArrayList<>(out).stream().filter(l -> l.startsWith("t: ") || l.startsWith("zinit: t: ")).toList();
      assertThat(mine).hasSize(5002);
      assertThat(mine.get(5000)).isEqualTo("t: 5000");
      assertThat(mine.get(5001)).isEqualTo("zinit: t: exited (exit code 0), not restarted");
    }
  }
}
