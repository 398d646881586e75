package zinit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints, when a test JVM's run ends, every test skipped by an assumption (not root, no writable
 * cgroup v2, no PID namespaces) by name and reason, so a run as another user says what it did not
 * cover. Registered through META-INF/services; CI, as root, fails if this list is not empty.
 */
public final class SkippedTests implements TestExecutionListener {
  private final List<String> skipped = new CopyOnWriteArrayList<>();

  @Override
  public void executionSkipped(TestIdentifier id, String reason) {
    skipped.add(name(id) + ": " + reason);
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    if (result.getStatus() != TestExecutionResult.Status.ABORTED) return;
    String reason = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
    skipped.add(name(id) + ": " + reason);
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    if (skipped.isEmpty()) return;
    StringBuilder b = new StringBuilder("Skipped " + skipped.size() + " test(s):\n");
    skipped.stream().sorted().forEach(s -> b.append("  SKIPPED ").append(s).append('\n'));
    System.out.print(b);
  }

  private static String name(TestIdentifier id) {
    return id.getSource()
        .map(
            s ->
                switch (s) {
                  case MethodSource m -> simple(m.getClassName()) + "." + m.getMethodName() + (id.getDisplayName().startsWith(m.getMethodName()) ? "" : " [" + id.getDisplayName() + "]");
                  case ClassSource c -> simple(c.getClassName());
                  default -> id.getDisplayName();
                })
        .orElse(id.getDisplayName());
  }

  private static String simple(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
