package zinit.supervisor;

/** Where service output and zinit's own messages go (the log ring, in the daemon). */
public interface LogSink {
  /** A line of output of a unit ("redis" or "redis/test"). Called on the I/O thread: quick. */
  void line(String unit, boolean stderr, String text);

  /** zinit's own message about a service, shown as coming from "zinit". */
  void zinit(String message);
}
