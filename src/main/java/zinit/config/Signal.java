package zinit.config;

import java.util.Locale;
import java.util.Optional;

/** The Linux signals a service file, `zinit kill` or the API may name. Numbers are x86-64/arm64 Linux. */
public enum Signal {
  SIGHUP(1),
  SIGINT(2),
  SIGQUIT(3),
  SIGILL(4),
  SIGTRAP(5),
  SIGABRT(6),
  SIGBUS(7),
  SIGFPE(8),
  SIGKILL(9),
  SIGUSR1(10),
  SIGSEGV(11),
  SIGUSR2(12),
  SIGPIPE(13),
  SIGALRM(14),
  SIGTERM(15),
  SIGSTKFLT(16),
  SIGCHLD(17),
  SIGCONT(18),
  SIGSTOP(19),
  SIGTSTP(20),
  SIGTTIN(21),
  SIGTTOU(22),
  SIGURG(23),
  SIGXCPU(24),
  SIGXFSZ(25),
  SIGVTALRM(26),
  SIGPROF(27),
  SIGWINCH(28),
  SIGIO(29),
  SIGPWR(30),
  SIGSYS(31);

  private final int number;

  Signal(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  /** Accepts "SIGTERM", "TERM", "sigterm" or "15". */
  public static Optional<Signal> parse(String text) {
    if (text == null) return Optional.empty();
    String t = text.trim().toUpperCase(Locale.ROOT);
    if (t.isEmpty()) return Optional.empty();
    if (t.chars().allMatch(Character::isDigit) && t.length() <= 3) {
      int n = Integer.parseInt(t);
      for (Signal s : values()) if (s.number == n) return Optional.of(s);
      return Optional.empty();
    }
    String name = t.startsWith("SIG") ? t : "SIG" + t;
    for (Signal s : values()) if (s.name().equals(name)) return Optional.of(s);
    return Optional.empty();
  }

  public static Optional<Signal> ofNumber(int n) {
    for (Signal s : values()) if (s.number == n) return Optional.of(s);
    return Optional.empty();
  }
}
