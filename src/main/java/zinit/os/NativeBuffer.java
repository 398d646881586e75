package zinit.os;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;

/**
 * A direct ByteBuffer in native memory that is freed when closed, not when a garbage collection
 * gets to it: for a channel read by one thread (a connection's reader), where a heap buffer would
 * make the JDK copy through its own cache of temporary direct buffers on every read.
 */
public final class NativeBuffer implements AutoCloseable {
  private final Arena arena = Arena.ofConfined();
  private final ByteBuffer buffer;

  /** Usable by the calling thread only, until {@link #close}. */
  public NativeBuffer(int bytes) {
    buffer = arena.allocate(bytes).asByteBuffer();
  }

  public ByteBuffer buffer() {
    return buffer;
  }

  @Override
  public void close() {
    arena.close();
  }
}
