package io.wharfmq.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a child JVM's heap use with {@code jcmd <pid> GC.heap_info} (the JDK's own tool, so the
 * broker needs no agent or JMX port). Used from one thread.
 */
final class HeapProbe {
  private static final Pattern USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

  private final long pid;
  long lastUsed;
  long maxUsed;

  HeapProbe(long pid) {
    this.pid = pid;
  }

  /** Samples the heap in use now (bytes), remembering the maximum. */
  long sample() throws IOException, InterruptedException {
    Matcher m = USED.matcher(jcmd("GC.heap_info"));
    if (m.find()) {
      lastUsed = Long.parseLong(m.group(2)) * 1024;
      maxUsed = Math.max(maxUsed, lastUsed);
    }
    return lastUsed;
  }

  /** Runs a full GC in the child, then samples: the live heap. */
  long liveBytesAfterGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    return sample();
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    p.waitFor(30, TimeUnit.SECONDS);
    return new String(out, StandardCharsets.UTF_8);
  }
}
