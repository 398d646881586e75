package zinit.logs;

/** Line batches for tests, made as the pipe reader makes them. */
final class Batches {
  private Batches() {}

  /** The newline-ended lines of {@code bytes} from index {@code from} on, as one batch. */
  static LineBatch of(byte[] bytes, int from) {
    LineBatch b = new LineBatch();
    b.reset(bytes);
    int start = from;
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        b.add(start, i, LineBatch.plain(bytes, start, i));
        start = i + 1;
      }
    }
    return b;
  }
}
