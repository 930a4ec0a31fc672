package io.wharfmq.broker;

import io.wharfmq.store.StoreConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Applies "key=value" settings from a configuration file and {@code --set} options to configuration
 * objects through their fluent setters (a public method named like the key with one parameter that
 * returns the object). Each key is one of (docs/configuration.md):
 *
 * <ul>
 *   <li>a key Wharf implements, under its own name or a RocketMQ spelling ({@link #ALIASES}):
 *       applied, and a bad value is a problem naming the key;
 *   <li>a key that asks for something Wharf cannot do safely ({@link #GUARDS}): refused with the
 *       reason when it asks for it, accepted when its value is what Wharf does anyway;
 *   <li>a key some Apache RocketMQ release reads ({@link RocketMqConfigKeys}) that Wharf does not
 *       implement: accepted, and listed in {@link Result#noEffectWarning()};
 *   <li>anything else: refused, with a "did you mean" for a near miss.
 * </ul>
 *
 * Stateless.
 */
public final class ConfigBinder {
  private ConfigBinder() {}

  /** A RocketMQ spelling of a Wharf key, with the conversion of its value to Wharf's unit. */
  private record Alias(String wharfKey, UnaryOperator<String> value) {}

  /** RocketMQ key → Wharf key, where Wharf names the same setting differently. */
  private static final Map<String, Alias> ALIASES =
      Map.of(
          "fileReservedTime", new Alias("fileReservedTimeHours", v -> v),
          "scanNotActiveBrokerInterval", new Alias("scanIntervalMillis", v -> v),
          // RocketMQ's NettyClientConfig: the broker's own connections (to name servers) use TLS.
          "useTLS", new Alias("tlsClientEnable", v -> v),
          "mappedFileSizeConsumeQueue",
              new Alias("consumeQueueEntriesPerFile", ConfigBinder::consumeQueueEntries),
          "enableAcl", new Alias("aclEnable", v -> v),
          "authenticationEnabled", new Alias("aclEnable", v -> v),
          "authorizationEnabled", new Alias("aclEnable", v -> v));

  /**
   * A key refused when its value asks for something Wharf cannot do safely; other values are what
   * Wharf does anyway and are accepted without a warning.
   */
  private record Guard(String key, BiPredicate<String, Object[]> refuses, String reason) {
    Guard(String key, Predicate<String> refuses, String reason) {
      this(key, (value, targets) -> refuses.test(value), reason);
    }
  }

  private static final String NO_REPLICATION =
      "Wharf has no replication yet: every Wharf broker is a master with the only copy";

  private static final List<Guard> GUARDS =
      List.of(
          new Guard(
              "enableDLegerCommitLog",
              ConfigBinder::isTrue,
              NO_REPLICATION + "; a DLedger commit log (Raft replication) is not supported"),
          new Guard(
              "enableControllerMode",
              ConfigBinder::isTrue,
              NO_REPLICATION + "; controller-managed master election is not supported"),
          new Guard(
              "enableControllerInNamesrv",
              ConfigBinder::isTrue,
              "Wharf's name server has no embedded controller (no replication to elect masters"
                  + " for)"),
          new Guard(
              "storePathCommitLog",
              ConfigBinder::elsewhereThanWharfsCommitLog,
              "Wharf keeps the commit log in <storePathRootDir>/commitlog, beside consumequeue/ and"
                  + " index/; set storePathRootDir to the directory that holds them all, or remove"
                  + " the key"),
          new Guard(
              "inSyncReplicas",
              ConfigBinder::moreThanOne,
              NO_REPLICATION + ", so a send cannot wait for acknowledgements of other replicas"),
          new Guard(
              "minInSyncReplicas",
              ConfigBinder::moreThanOne,
              NO_REPLICATION + ", so a send cannot wait for acknowledgements of other replicas"));

  /** What binding found: problems that stop the start, and keys accepted with no effect. */
  public record Result(List<String> problems, SortedSet<String> noEffect) {
    public Result {
      problems = List.copyOf(problems);
      noEffect = Collections.unmodifiableSortedSet(new TreeSet<>(noEffect));
    }

    /** The one startup warning line listing the accepted keys that change nothing, if any. */
    public Optional<String> noEffectWarning() {
      if (noEffect.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          "Configuration keys of Apache RocketMQ accepted but with no effect in Wharf (not"
              + " implemented, see docs/configuration.md): "
              + String.join(", ", noEffect));
    }
  }

  /**
   * Applies {@code settings} to the first target that has a setter for each key; returns the
   * problems (unknown or refused key, unparseable value). Keys in {@code handledByCaller} are
   * skipped. Kept for callers that need only the problems.
   */
  public static List<String> bind(
      Map<String, String> settings, Set<String> handledByCaller, Object... targets) {
    return bindSettings(settings, handledByCaller, targets).problems();
  }

  /**
   * Applies {@code settings} to the first target that has a setter for each key (after mapping a
   * RocketMQ spelling to Wharf's key), and classifies every other key as described on the class.
   */
  public static Result bindSettings(
      Map<String, String> settings, Set<String> handledByCaller, Object... targets) {
    List<String> problems = new ArrayList<>();
    SortedSet<String> noEffect = new TreeSet<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().trim();
      if (handledByCaller.contains(key)) {
        continue;
      }
      Guard guard = guard(key);
      if (guard != null) {
        if (guard.refuses().test(value, targets)) {
          problems.add(key + "=" + value + " is refused: " + guard.reason());
          continue;
        }
        if (setter(targets, key) == null) {
          continue; // asks for what Wharf does anyway
        }
      }
      Alias alias = ALIASES.get(key);
      String wharfKey = alias == null ? key : alias.wharfKey();
      Object target = setter(targets, wharfKey);
      if (target != null) {
        apply(target, wharfKey, key, value, alias, problems);
      } else if (RocketMqConfigKeys.get().contains(key)) {
        noEffect.add(key);
      } else {
        problems.add(unknown(key, targets));
      }
    }
    return new Result(problems, noEffect);
  }

  private static void apply(
      Object target,
      String wharfKey,
      String key,
      String value,
      Alias alias,
      List<String> problems) {
    Method setter = setter(target.getClass(), wharfKey);
    try {
      String converted = alias == null ? value : alias.value().apply(value);
      setter.invoke(target, convert(setter.getParameterTypes()[0], converted));
    } catch (IllegalArgumentException ex) {
      problems.add(key + ": cannot use '" + value + "': " + ex.getMessage());
    } catch (IllegalAccessException | InvocationTargetException ex) {
      problems.add(key + ": " + ex);
    }
  }

  private static Guard guard(String key) {
    for (Guard g : GUARDS) {
      if (g.key().equals(key)) {
        return g;
      }
    }
    return null;
  }

  private static boolean isTrue(String value) {
    return value.equalsIgnoreCase("true");
  }

  /** Whether a RocketMQ storePathCommitLog names another directory than Wharf's commit log. */
  private static boolean elsewhereThanWharfsCommitLog(String value, Object[] targets) {
    for (Object t : targets) {
      if (t instanceof StoreConfig store && store.storePathRootDir() != null) {
        Path wharfs = store.commitLogDir().toAbsolutePath().normalize();
        return !Objects.equals(Path.of(value).toAbsolutePath().normalize(), wharfs);
      }
    }
    return false; // not a broker: the key has no meaning here
  }

  private static boolean moreThanOne(String value) {
    try {
      return Integer.parseInt(value) > 1;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String consumeQueueEntries(String bytes) {
    long v;
    try {
      v = Long.parseLong(bytes);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a number of bytes");
    }
    if (v <= 0 || v % 20 != 0) {
      throw new IllegalArgumentException(
          "must be a positive multiple of 20 (bytes of a consume-queue entry)");
    }
    return Long.toString(v / 20);
  }

  private static String unknown(String key, Object... targets) {
    String suggestion = KeySuggestion.closest(key, candidates(targets));
    return "unknown key '"
        + key
        + "': neither Wharf nor any Apache RocketMQ release knows it"
        + (suggestion == null
            ? " (docs/configuration.md lists the keys)"
            : "; did you mean '" + suggestion + "'?");
  }

  /** Every key an operator may write: Wharf's own first, so that they win a tie. */
  private static List<String> candidates(Object... targets) {
    List<String> out = new ArrayList<>();
    for (Object t : targets) {
      out.addAll(setterNames(t));
    }
    out.addAll(ALIASES.keySet());
    GUARDS.forEach(g -> out.add(g.key()));
    out.addAll(RocketMqConfigKeys.get().all());
    return out;
  }

  private static Object setter(Object[] targets, String key) {
    for (Object target : targets) {
      if (setter(target.getClass(), key) != null) {
        return target;
      }
    }
    return null;
  }

  private static Method setter(Class<?> type, String name) {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == 1 && m.getReturnType() == type) {
        return m;
      }
    }
    return null;
  }

  private static SortedSet<String> setterNames(Object target) {
    SortedSet<String> keys = new TreeSet<>();
    for (Method m : target.getClass().getMethods()) {
      if (m.getParameterCount() == 1 && m.getReturnType() == target.getClass()) {
        keys.add(m.getName());
      }
    }
    return keys;
  }

  /** Sorted setter names of the targets: the keys Wharf implements. */
  public static String knownKeys(Object... targets) {
    TreeSet<String> keys = new TreeSet<>();
    for (Object t : targets) {
      keys.addAll(setterNames(t));
    }
    return String.join(", ", keys);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object convert(Class<?> type, String value) {
    if (type == String.class) {
      return value;
    }
    if (type == int.class) {
      return Integer.parseInt(value);
    }
    if (type == long.class) {
      return Long.parseLong(value);
    }
    if (type == boolean.class) {
      if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException("expected true or false");
      }
      return Boolean.parseBoolean(value);
    }
    if (type == Path.class) {
      return Path.of(value);
    }
    if (type.isEnum()) {
      String v = value.toUpperCase(Locale.ROOT);
      // RocketMQ spells flush modes ASYNC_FLUSH / SYNC_FLUSH.
      if (v.endsWith("_FLUSH")) {
        v = v.substring(0, v.length() - "_FLUSH".length());
      }
      try {
        return Enum.valueOf((Class<Enum>) type, v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "expected one of " + Arrays.toString(type.getEnumConstants()));
      }
    }
    throw new IllegalArgumentException("unsupported setting type " + type.getSimpleName());
  }
}
