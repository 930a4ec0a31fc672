package io.wharfmq.broker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every configuration key Apache RocketMQ reads from broker and name-server configuration files,
 * grouped by the RocketMQ class that reads it, as listed in the data file {@value #RESOURCE} (one
 * key per line under a "[class name]" header; '#' starts a comment). The list is the one place
 * Wharf knows RocketMQ's keys from; {@link ConfigBinder} accepts the ones Wharf does not implement
 * with a warning instead of refusing them. Immutable and thread-safe.
 */
public final class RocketMqConfigKeys {
  /** The data file, next to this class on the class path. */
  public static final String RESOURCE = "rocketmq-config-keys.txt";

  private static final RocketMqConfigKeys INSTANCE = load();

  private final Map<String, Set<String>> byClass;
  private final Set<String> all;

  private RocketMqConfigKeys(Map<String, Set<String>> byClass) {
    this.byClass = Collections.unmodifiableMap(byClass);
    Set<String> keys = new TreeSet<>();
    byClass.values().forEach(keys::addAll);
    this.all = Collections.unmodifiableSet(keys);
  }

  /** The keys of the data file on the class path. */
  public static RocketMqConfigKeys get() {
    return INSTANCE;
  }

  /** Whether some Apache RocketMQ release reads {@code key} from a configuration file. */
  public boolean contains(String key) {
    return all.contains(key);
  }

  /** Every key, sorted. */
  public Set<String> all() {
    return all;
  }

  /** Keys by the fully qualified name of the RocketMQ class that reads them, in file order. */
  public Map<String, Set<String>> byClass() {
    return byClass;
  }

  private static RocketMqConfigKeys load() {
    try (InputStream in = RocketMqConfigKeys.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  static RocketMqConfigKeys parse(BufferedReader reader) throws IOException {
    Map<String, Set<String>> byClass = new LinkedHashMap<>();
    Set<String> current = null;
    String line;
    int number = 0;
    while ((line = reader.readLine()) != null) {
      number++;
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      if (s.startsWith("[") && s.endsWith("]")) {
        current = byClass.computeIfAbsent(s.substring(1, s.length() - 1), k -> new TreeSet<>());
      } else if (current == null || !s.matches("[A-Za-z][A-Za-z0-9_]*")) {
        throw new IllegalStateException(RESOURCE + " line " + number + ": not a key: " + line);
      } else {
        current.add(s);
      }
    }
    byClass.replaceAll((k, v) -> Collections.unmodifiableSet(new LinkedHashSet<>(v)));
    return new RocketMqConfigKeys(byClass);
  }
}
