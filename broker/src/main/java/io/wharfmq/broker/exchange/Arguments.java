package io.wharfmq.broker.exchange;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Declare and binding arguments in one canonical form, so that equivalence is {@code equals} and a
 * round trip through the topology file keeps every value: integral numbers become Long, other
 * numbers Double, lists and maps are copied (maps sorted by key), everything else must be a String,
 * Boolean or null. Stateless; thread-safe.
 */
public final class Arguments {
  private Arguments() {}

  /** Thrown for a value the topology cannot keep. */
  public static final class UnsupportedValueException extends Exception {
    private static final long serialVersionUID = 1L;

    UnsupportedValueException(String message) {
      super(message);
    }
  }

  /** The canonical, unmodifiable copy of {@code args} (null: empty). */
  public static Map<String, Object> canonical(Map<String, ?> args)
      throws UnsupportedValueException {
    if (args == null || args.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> out = new TreeMap<>();
    for (Map.Entry<String, ?> e : args.entrySet()) {
      if (e.getKey() == null) {
        throw new UnsupportedValueException("an argument needs a name");
      }
      out.put(e.getKey(), value(e.getKey(), e.getValue()));
    }
    return Collections.unmodifiableMap(out);
  }

  private static Object value(String name, Object v) throws UnsupportedValueException {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    if (v instanceof Double || v instanceof Float) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof Character c) {
      return String.valueOf(c);
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(value(name, o));
      }
      return Collections.unmodifiableList(out);
    }
    if (v instanceof Map<?, ?> map) {
      Map<String, Object> out = new TreeMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(String.valueOf(e.getKey()), value(name, e.getValue()));
      }
      return Collections.unmodifiableMap(out);
    }
    throw new UnsupportedValueException(
        "argument " + name + ": a " + v.getClass().getSimpleName() + " value is not supported");
  }
}
