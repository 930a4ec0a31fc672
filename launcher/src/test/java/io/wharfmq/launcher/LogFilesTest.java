package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The rolling log file under the data directory: what is logged lands there and rolls by size. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogFilesTest {
  private static final Logger log = LoggerFactory.getLogger(LogFilesTest.class);

  @TempDir Path dir;

  static List<Path> rolled(Path logs) throws IOException {
    try (Stream<Path> s = Files.list(logs)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log.gz")).sorted().toList();
    }
  }

  @Test
  void linesGoToTheFileWhichRollsIntoGzippedFilesAtItsSizeLimit() throws Exception {
    String line = "x".repeat(200);
    LogFiles files = LogFiles.attach(dir, "wharf", "10KB", 7, "1MB");
    try {
      for (int i = 0; i < 300; i++) {
        log.info("line {} {}", i, line);
      }
    } finally {
      files.close();
    }
    Path logs = dir.resolve("logs");
    Path current = logs.resolve("wharf.log");
    assertThat(current).exists();
    Awaitility.await("compressed rolled files")
        .atMost(Duration.ofSeconds(20))
        .until(() -> rolled(logs).size() >= 2);
    Path first = rolled(logs).get(0);
    assertThat(first.getFileName().toString())
        .matches("wharf\\.\\d{4}-\\d{2}-\\d{2}\\.\\d+\\.log\\.gz");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(first))) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(text).contains(" INFO  [").contains("LogFilesTest - line ");
    }
    assertThat(Files.readString(current)).contains("line 299 ");

    log.info("after detaching");
    assertThat(Files.readString(current)).doesNotContain("after detaching");
  }
}
