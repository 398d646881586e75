package zinit.supervisor;

/** A held {@link OpLocks} lock; closing releases it. */
@FunctionalInterface
interface OpLock extends AutoCloseable {
  @Override
  void close();
}
