package zinit.daemon;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/** The names StopPathClasses initialises still name classes: a rename would otherwise go unnoticed. */
class StopPathClassesTest {
  @Test
  void everyNamedClassExists() {
    ClassLoader loader = StopPathClasses.class.getClassLoader();
    for (String name : StopPathClasses.NAMES) {
      assertThatCode(() -> Class.forName(name, false, loader)).as(name).doesNotThrowAnyException();
    }
  }
}
