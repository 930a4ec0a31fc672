package io.wharfmq.jms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link WharfStandaloneProcess} for a test class, in a temp directory of its own that is
 * deleted afterwards: {@code @RegisterExtension static final WharfStandaloneExtension wharf = new
 * WharfStandaloneExtension();}. Nested test classes share their outer class's process.
 *
 * <p>Not thread-safe; JUnit calls it from the thread running the class.
 */
public final class WharfStandaloneExtension implements BeforeAllCallback, AfterAllCallback {
  private Class<?> owner;
  private Path dir;
  private WharfStandaloneProcess process;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    if (owner != null) {
      return;
    }
    owner = context.getRequiredTestClass();
    dir = Files.createTempDirectory("wharf-" + owner.getSimpleName());
    process = WharfStandaloneProcess.start(dir);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (context.getRequiredTestClass() != owner) {
      return;
    }
    if (process != null) {
      process.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    owner = null;
  }

  /** The provider's URL for this process: {@code wharf://} and its name server. */
  public String url() {
    return "wharf://" + process.namesrvAddr();
  }
}
