package io.wharfmq.jms.message;

import jakarta.jms.MessageFormatException;

/**
 * The JMS 2.0 conversion tables: message properties (section 3.5.4) and MapMessage / StreamMessage
 * values (sections 3.11.3). Both allow the same widening conversions and String parsing; only map
 * and stream values may be a char or a byte[], which convert to nothing but themselves (and a char
 * to String). A null converts as the wrapper's {@code valueOf(null)} would: false for boolean, a
 * NumberFormatException for numbers. Stateless; thread-safe.
 */
final class TypeConversion {
  private TypeConversion() {}

  static boolean toBoolean(Object v) throws MessageFormatException {
    if (v instanceof Boolean b) {
      return b;
    } else if (v instanceof String || v == null) {
      return Boolean.parseBoolean((String) v);
    }
    throw cannot(v, "boolean");
  }

  static byte toByte(Object v) throws MessageFormatException {
    if (v instanceof Byte b) {
      return b;
    } else if (v instanceof String || v == null) {
      return Byte.parseByte((String) v);
    }
    throw cannot(v, "byte");
  }

  static short toShort(Object v) throws MessageFormatException {
    if (v instanceof Short || v instanceof Byte) {
      return ((Number) v).shortValue();
    } else if (v instanceof String || v == null) {
      return Short.parseShort((String) v);
    }
    throw cannot(v, "short");
  }

  static int toInt(Object v) throws MessageFormatException {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).intValue();
    } else if (v instanceof String || v == null) {
      return Integer.parseInt((String) v);
    }
    throw cannot(v, "int");
  }

  static long toLong(Object v) throws MessageFormatException {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    } else if (v instanceof String || v == null) {
      return Long.parseLong((String) v);
    }
    throw cannot(v, "long");
  }

  static float toFloat(Object v) throws MessageFormatException {
    if (v instanceof Float f) {
      return f;
    } else if (v instanceof String || v == null) {
      if (v == null) {
        throw new NullPointerException("null cannot be read as a float");
      }
      return Float.parseFloat((String) v);
    }
    throw cannot(v, "float");
  }

  static double toDouble(Object v) throws MessageFormatException {
    if (v instanceof Double || v instanceof Float) {
      return ((Number) v).doubleValue();
    } else if (v instanceof String || v == null) {
      if (v == null) {
        throw new NullPointerException("null cannot be read as a double");
      }
      return Double.parseDouble((String) v);
    }
    throw cannot(v, "double");
  }

  /** Map and stream values only: a char reads only as a char (and as a String). */
  static char toChar(Object v) throws MessageFormatException {
    if (v instanceof Character c) {
      return c;
    } else if (v == null) {
      throw new NullPointerException("null cannot be read as a char");
    }
    throw cannot(v, "char");
  }

  static String toText(Object v) throws MessageFormatException {
    if (v == null || v instanceof String) {
      return (String) v;
    } else if (v instanceof byte[]) {
      throw cannot(v, "String");
    }
    return v.toString();
  }

  /** Map and stream values only: a byte[] reads only as a byte[]; a null reads as null. */
  static byte[] toBytes(Object v) throws MessageFormatException {
    if (v == null) {
      return null;
    } else if (v instanceof byte[] b) {
      return b.clone();
    }
    throw cannot(v, "byte[]");
  }

  /** Whether a map or stream message may hold the value (JMS 2.0 section 3.11). */
  static boolean isBodyValue(Object v) {
    return v == null
        || v instanceof Boolean
        || v instanceof Byte
        || v instanceof Short
        || v instanceof Character
        || v instanceof Integer
        || v instanceof Long
        || v instanceof Float
        || v instanceof Double
        || v instanceof String
        || v instanceof byte[];
  }

  /** Whether a message property may hold the value (no char, no byte[]). */
  static boolean isPropertyValue(Object v) {
    return v == null
        || v instanceof Boolean
        || v instanceof Byte
        || v instanceof Short
        || v instanceof Integer
        || v instanceof Long
        || v instanceof Float
        || v instanceof Double
        || v instanceof String;
  }

  static MessageFormatException cannot(Object v, String type) {
    return new MessageFormatException(
        "a " + v.getClass().getSimpleName() + " value cannot be read as a " + type);
  }
}
