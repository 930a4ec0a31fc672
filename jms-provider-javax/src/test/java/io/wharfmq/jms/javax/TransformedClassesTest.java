package io.wharfmq.jms.javax;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.jms.WharfConnectionFactory;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transformed provider loads against javax.jms alone: jakarta.jms is not on this class path, so
 * any reference the transformer missed in a field, a method or a supertype fails here.
 */
@Timeout(60)
class TransformedClassesTest {
  @Test
  void theFactoryImplementsTheJavaxInterfaces() {
    assertThat(javax.jms.ConnectionFactory.class).isAssignableFrom(WharfConnectionFactory.class);
    assertThat(javax.jms.QueueConnectionFactory.class)
        .isAssignableFrom(WharfConnectionFactory.class);
    assertThat(javax.jms.TopicConnectionFactory.class)
        .isAssignableFrom(WharfConnectionFactory.class);
  }

  @Test
  void everyProviderClassLinksWithoutJakarta() throws Exception {
    ClassLoader loader = WharfConnectionFactory.class.getClassLoader();
    List<String> names = providerClassNames();
    assertThat(names)
        .hasSizeGreaterThan(30)
        .as("jms-provider's test helpers stay out of the jar")
        .doesNotContain("io.wharfmq.jms.WharfStandaloneProcess");
    for (String name : names) {
      Class<?> type = Class.forName(name, false, loader);
      // Resolves every type in the signatures and field descriptors.
      type.getDeclaredMethods();
      type.getDeclaredFields();
      type.getDeclaredConstructors();
      assertThat(type.getInterfaces()).as(name).noneMatch(i -> i.getName().startsWith("jakarta."));
    }
  }

  private static List<String> providerClassNames() throws IOException, URISyntaxException {
    Path root =
        Path.of(
            WharfConnectionFactory.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    try (Stream<Path> files = Files.walk(root.resolve("io/wharfmq/jms"))) {
      return files
          .map(root::relativize)
          .map(Path::toString)
          .filter(f -> f.endsWith(".class"))
          .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.'))
          .toList();
    }
  }
}
