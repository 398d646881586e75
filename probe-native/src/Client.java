import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.graalvm.nativeimage.c.function.CFunction;

/**
 * What zinit's client does, for the native-image probe: a Unix-domain SocketChannel connect/write/read and
 * one libc call, through FFM and through SubstrateVM's own C interface (@CFunction).
 *   Client             serves itself on a temporary socket and prints what works
 *   Client serve PATH  an echo server on PATH that idles between requests (like bench/floor's JVM)
 *   Client send PATH   one request to a server at PATH (the round trip that is timed)
 */
public class Client {
    @CFunction("getpid")
    static native int cGetpid();

    public static void main(String[] a) throws Exception {
        if (a.length == 2 && a[0].equals("serve")) {
            serve(Path.of(a[1]));
            return;
        }
        if (a.length == 2 && a[0].equals("send")) {
            System.out.print(roundTrip(Path.of(a[1])));
            return;
        }
        Path p = Files.createTempDirectory("probe-native").resolve("s");
        try (ServerSocketChannel srv = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            srv.bind(UnixDomainSocketAddress.of(p));
            Thread echo = new Thread(() -> {
                try (SocketChannel c = srv.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(256);
                    c.read(b);
                    b.flip();
                    c.write(b);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            echo.start();
            System.out.print("socket: " + roundTrip(p));
            echo.join();
        } finally {
            Files.deleteIfExists(p);
            Files.deleteIfExists(p.getParent());
        }
        long pid = ProcessHandle.current().pid();
        try {
            System.out.println("@CFunction getpid: " + cGetpid() + " (ProcessHandle " + pid + ")");
        } catch (Throwable e) {
            System.out.println("@CFunction getpid: " + e);
        }
        try {
            Linker l = Linker.nativeLinker();
            MethodHandle h = l.downcallHandle(l.defaultLookup().find("getpid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            System.out.println("FFM getpid: " + (int) h.invokeExact() + " (ProcessHandle " + pid + ")");
        } catch (Throwable e) {
            System.out.println("FFM getpid: " + e);
        }
    }

    static void serve(Path p) throws IOException {
        Files.deleteIfExists(p);
        try (ServerSocketChannel srv = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            srv.bind(UnixDomainSocketAddress.of(p));
            ByteBuffer b = ByteBuffer.allocate(4096);
            for (;;) {
                try (SocketChannel c = srv.accept()) {
                    b.clear();
                    while (c.read(b) > 0 && b.get(b.position() - 1) != '\n') { }
                    b.flip();
                    c.write(b);
                }
            }
        }
    }

    static String roundTrip(Path p) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            c.write(ByteBuffer.wrap("status\n".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (c.read(b) > 0 && b.get(b.position() - 1) != '\n') { }
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }
    }
}
