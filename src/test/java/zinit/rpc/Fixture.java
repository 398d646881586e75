package zinit.rpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import zinit.config.ServiceFiles;
import zinit.logs.LogRing;

/** A server on a socket in its own temp dir, with a fake supervisor and a real ring and files. */
final class Fixture implements AutoCloseable {
  final Path dir;
  final Path socket;
  final Path configDir;
  final FakeServices services = new FakeServices();
  final LogRing logs = new LogRing(100);
  final ServiceFiles files;
  final List<String> serverLog = new CopyOnWriteArrayList<>();
  final RpcServer server;

  Fixture() throws IOException {
    this(Limits.DEFAULT, null);
  }

  Fixture(Limits limits, String group) throws IOException {
    dir = Files.createTempDirectory("zinit-rpc-test");
    socket = dir.resolve("zinit.sock");
    configDir = Files.createDirectory(dir.resolve("etc"));
    files = new ServiceFiles(configDir);
    try {
      server = RpcServer.start(socket, services, logs, files, new RpcServer.Options(group, serverLog::add), limits);
    } catch (IOException | RuntimeException e) {
      deleteDir(); // a failed start leaves no /tmp/zinit-rpc-test* behind
      throw e;
    }
  }

  RawClient client() throws IOException {
    return RawClient.connect(socket);
  }

  @Override
  public void close() throws IOException {
    server.close();
    deleteDir();
  }

  private void deleteDir() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
