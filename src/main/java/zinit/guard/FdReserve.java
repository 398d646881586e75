package zinit.guard;

/**
 * A few fds zinit holds back so that, when its services or clients have taken all others, it can
 * still accept root's connection on its socket: the accept loop lets one go just before it
 * accepts, and takes it back once that connection is closed.
 */
public interface FdReserve {
  /** Closes one reserved fd; false when none is left. */
  boolean release();

  /** Opens reserved fds again, up to the reserve's size, as far as fds are free. */
  void replenish();

  /**
   * Replenishes, then tells whether the reserve is whole. Spawns ask first, so a service that
   * is retried while fds are short can never take the fds kept for root's connection.
   */
  boolean refill();

  FdReserve NONE =
      new FdReserve() {
        @Override
        public boolean release() {
          return false;
        }

        @Override
        public void replenish() {}

        @Override
        public boolean refill() {
          return true;
        }
      };
}
