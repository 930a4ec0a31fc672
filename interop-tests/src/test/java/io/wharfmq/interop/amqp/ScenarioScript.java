package io.wharfmq.interop.amqp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A raw AMQP client scenario run as a child process: the rhea script ({@code src/test/node/
 * scenarios.js}, run with {@code node}) or the Qpid Proton for Python script ({@code
 * src/test/python/scenarios.py}, run with Debian's {@code /usr/bin/python3}). Both take {@code
 * SCENARIO HOST PORT ADDRESS [EXTRA]}, print what they observed as {@code key=value} lines (values
 * in JSON) and end with {@code done=true}; the tests assert on those facts.
 *
 * <p>Stateless; each {@link #run} starts and waits for one process.
 */
enum ScenarioScript {
  RHEA {
    @Override
    List<String> command() {
      return List.of("node", moduleDir().resolve("src/test/node/scenarios.js").toString());
    }
  },
  PROTON_PYTHON {
    @Override
    List<String> command() {
      // Debian's interpreter: a pyenv python3 first on PATH does not see python3-qpid-proton.
      return List.of(
          "/usr/bin/python3", moduleDir().resolve("src/test/python/scenarios.py").toString());
    }
  };

  private static final ObjectMapper JSON = new ObjectMapper();

  abstract List<String> command();

  static Path moduleDir() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  }

  /**
   * Runs {@code scenario} against {@code broker} on {@code address} and returns its facts. Fails
   * (with the script's whole output) when the script exits non-zero, prints an error or does not
   * end within 60 s. The output is kept in {@code outDir}.
   */
  Map<String, JsonNode> run(
      AmqpBrokerUnderTest broker, String scenario, String address, String extra, Path outDir)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(command());
    cmd.add(scenario);
    cmd.add(broker.host());
    cmd.add(Integer.toString(broker.amqpPort()));
    cmd.add(address);
    if (extra != null) {
      cmd.add(extra);
    }
    Files.createDirectories(outDir);
    Path out = outDir.resolve(name().toLowerCase() + "-" + scenario + "-" + address + ".out");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    if (!ended || p.exitValue() != 0 || !text.contains("done=true")) {
      throw new AssertionError(
          String.join(" ", cmd)
              + (ended ? " exited with " + p.exitValue() : " did not end within 60 s")
              + ":\n"
              + text);
    }
    return facts(text);
  }

  static Map<String, JsonNode> facts(String text) {
    Map<String, JsonNode> facts = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq <= 0 || line.startsWith(" ")) {
        continue;
      }
      String value = line.substring(eq + 1);
      JsonNode node;
      try {
        node = JSON.readTree(value);
      } catch (JsonProcessingException e) {
        node = TextNode.valueOf(value);
      }
      facts.put(line.substring(0, eq), node == null ? TextNode.valueOf(value) : node);
    }
    return facts;
  }
}
