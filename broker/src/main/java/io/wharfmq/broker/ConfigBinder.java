package io.wharfmq.broker;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Applies "key=value" settings to configuration objects through their fluent setters (a public
 * method named like the key with one parameter). Keys are RocketMQ's broker.conf names where the
 * concept is the same; a few RocketMQ spellings are accepted as aliases. Unknown keys and bad
 * values are collected as problems naming the key, never ignored. Stateless.
 */
public final class ConfigBinder {
  private ConfigBinder() {}

  private static final Map<String, String> ALIASES =
      Map.of("fileReservedTime", "fileReservedTimeHours");

  /**
   * Applies {@code settings} to the first target that has a setter for each key; returns problems
   * (unknown key, unparseable value). Keys in {@code ignored} are skipped (handled by the caller).
   */
  public static List<String> bind(
      Map<String, String> settings, java.util.Set<String> ignored, Object... targets) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = ALIASES.getOrDefault(e.getKey(), e.getKey());
      if (ignored.contains(e.getKey())) {
        continue;
      }
      boolean applied = false;
      for (Object target : targets) {
        Method setter = setter(target.getClass(), key);
        if (setter == null) {
          continue;
        }
        try {
          setter.invoke(target, convert(setter.getParameterTypes()[0], e.getValue().trim()));
        } catch (IllegalArgumentException ex) {
          problems.add(e.getKey() + ": cannot use '" + e.getValue() + "': " + ex.getMessage());
        } catch (IllegalAccessException | InvocationTargetException ex) {
          problems.add(e.getKey() + ": " + ex);
        }
        applied = true;
        break;
      }
      if (!applied) {
        problems.add("unknown key '" + e.getKey() + "'; known keys: " + knownKeys(targets));
      }
    }
    return problems;
  }

  private static Method setter(Class<?> type, String name) {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == 1 && m.getReturnType() == type) {
        return m;
      }
    }
    return null;
  }

  /** Sorted setter names of the targets: what an operator may set. */
  public static String knownKeys(Object... targets) {
    TreeSet<String> keys = new TreeSet<>();
    for (Object t : targets) {
      for (Method m : t.getClass().getMethods()) {
        if (m.getParameterCount() == 1 && m.getReturnType() == t.getClass()) {
          keys.add(m.getName());
        }
      }
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
            "expected one of " + java.util.Arrays.toString(type.getEnumConstants()));
      }
    }
    throw new IllegalArgumentException("unsupported setting type " + type.getSimpleName());
  }
}
