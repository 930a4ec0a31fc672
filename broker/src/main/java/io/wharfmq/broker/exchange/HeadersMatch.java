package io.wharfmq.broker.exchange;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Map;

/**
 * A headers exchange's binding, compiled: {@code x-match} {@code all} (the default) or {@code any}
 * of the binding's arguments must match the message's application properties; the {@code -with-x}
 * variants also compare arguments whose names start with {@code x-}, which the plain ones skip. An
 * argument with a null value matches when the property is present; otherwise the values must be
 * equal, integral numbers with integral numbers and floating ones with floating ones (RabbitMQ's
 * type classes). Immutable; thread-safe.
 */
final class HeadersMatch {
  static final String X_MATCH = "x-match";

  private final boolean all;
  private final Map<String, Object> arguments;
  private final boolean withX;

  private HeadersMatch(boolean all, boolean withX, Map<String, Object> arguments) {
    this.all = all;
    this.withX = withX;
    this.arguments = arguments;
  }

  /** Why the arguments are no headers binding, or null when they are. */
  static String problem(Map<String, Object> arguments) {
    Object mode = arguments.get(X_MATCH);
    if (mode == null) {
      return null;
    }
    return switch (String.valueOf(mode)) {
      case "all", "any", "all-with-x", "any-with-x" -> null;
      default -> "x-match must be all, any, all-with-x or any-with-x, not '" + mode + "'";
    };
  }

  static HeadersMatch of(Map<String, Object> arguments) {
    String mode = String.valueOf(arguments.getOrDefault(X_MATCH, "all"));
    return new HeadersMatch(mode.startsWith("all"), mode.endsWith("-with-x"), arguments);
  }

  boolean matches(Map<String, Object> headers) {
    boolean any = false;
    for (Map.Entry<String, Object> a : arguments.entrySet()) {
      String name = a.getKey();
      if (name.equals(X_MATCH) || (!withX && name.startsWith("x-"))) {
        continue;
      }
      boolean hit = headers.containsKey(name) && equal(a.getValue(), headers.get(name));
      if (all && !hit) {
        return false;
      }
      any |= hit;
    }
    return all || any;
  }

  private static boolean equal(Object want, Object have) {
    if (want == null) {
      return true; // RabbitMQ: a void argument asks for presence only
    }
    if (have == null) {
      return false;
    }
    if (integral(want) && integral(have)) {
      return big(want).equals(big(have));
    }
    if (floating(want) && floating(have)) {
      return ((Number) want).doubleValue() == ((Number) have).doubleValue();
    }
    if (want instanceof byte[] w && have instanceof byte[] h) {
      return Arrays.equals(w, h);
    }
    if (want instanceof String && have instanceof Character c) {
      return want.equals(String.valueOf(c));
    }
    return want.equals(have);
  }

  private static boolean integral(Object o) {
    return o instanceof Long
        || o instanceof Integer
        || o instanceof Short
        || o instanceof Byte
        || o instanceof BigInteger;
  }

  private static boolean floating(Object o) {
    return o instanceof Double || o instanceof Float;
  }

  private static BigInteger big(Object o) {
    return o instanceof BigInteger b ? b : BigInteger.valueOf(((Number) o).longValue());
  }
}
