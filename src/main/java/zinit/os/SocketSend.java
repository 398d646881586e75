package zinit.os;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SocketChannel;

/**
 * A reply sent by the thread that has it, when the socket takes it without waiting: send(2) with
 * MSG_DONTWAIT on the channel's own fd, so that a stop's reply needs no wake-up of the
 * connection's writer thread, and a client that does not read cannot block the sender.
 *
 * <p>The JDK has no public way to a channel's fd, so {@code sun.nio.ch.SocketChannelImpl}'s
 * {@code fdVal} is read, which needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}
 * (zinit-daemon.jvmopts); without it {@link #fd} answers -1 and every reply goes through the
 * writer. The caller must make sure the channel is not closed while it sends (the fd number could
 * be another file's by then).
 */
public final class SocketSend {
  private SocketSend() {}

  private static final VarHandle FD_VAL = find();

  private static VarHandle find() {
    try {
      Class<?> impl = Class.forName("sun.nio.ch.SocketChannelImpl");
      return MethodHandles.privateLookupIn(impl, MethodHandles.lookup()).findVarHandle(impl, "fdVal", int.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // not opened (IllegalAccessException), or a JDK without the field
    }
  }

  /** The fd of an open {@code channel}, or -1 when it cannot be had. */
  public static int fd(SocketChannel channel) {
    if (FD_VAL == null || !channel.getClass().getName().equals("sun.nio.ch.SocketChannelImpl")) return -1;
    return (int) FD_VAL.get(channel);
  }

  /** Sends what of {@code data} the socket takes now: the byte count, or -errno (-EAGAIN: none). */
  public static long now(int fd, byte[] data) {
    return Libc.sendNow(fd, MemorySegment.ofArray(data), data.length);
  }
}
