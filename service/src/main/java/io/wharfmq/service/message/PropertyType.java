package io.wharfmq.service.message;

import java.math.BigInteger;
import java.util.Base64;
import java.util.UUID;

/**
 * The type of an application property (or of a message-id or correlation-id) and how its value is
 * written as record property text. A record property holds the text; {@link TypedProperties}
 * records the type. The text is what a RocketMQ consumer and a SQL92 filter see, so numbers are
 * plain decimal. Stateless; thread-safe.
 *
 * <p>Codes are one character, stable: they are stored. JMS types first, then the AMQP-only ones.
 */
public enum PropertyType {
  STRING('S'),
  /** A null value: nothing is stored under the name, the type list keeps it. */
  NULL('N'),
  BOOLEAN('Z'),
  BYTE('B'),
  SHORT('H'),
  INT('I'),
  LONG('L'),
  /** Text: {@link Float#toString(float)}, which parses back to the same float. */
  FLOAT('F'),
  DOUBLE('D'),
  /** Text: the character itself. */
  CHAR('C'),
  UBYTE('b'),
  USHORT('h'),
  UINT('i'),
  ULONG('l'),
  /** Text: epoch milliseconds. */
  TIMESTAMP('T'),
  /** Text: the canonical 36-character form. */
  UUID('U'),
  /** Text: Base64 (RFC 4648, with padding). */
  BINARY('X'),
  /** Text: the symbol's ASCII characters. */
  SYMBOL('Y'),
  /** Text: the IEEE 754 decimal32 bits, 8 hex digits. */
  DECIMAL32('d'),
  /** Text: the IEEE 754 decimal64 bits, 16 hex digits. */
  DECIMAL64('e'),
  /** Text: the IEEE 754 decimal128 bits, 32 hex digits (most significant first). */
  DECIMAL128('g');

  private static final PropertyType[] BY_CODE = new PropertyType[128];

  static {
    for (PropertyType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final char code;

  PropertyType(char code) {
    this.code = code;
  }

  public char code() {
    return code;
  }

  /** The type of a code; IllegalArgumentException for an unknown one. */
  public static PropertyType ofCode(char code) {
    PropertyType t = code < BY_CODE.length ? BY_CODE[code] : null;
    if (t == null) {
      throw new IllegalArgumentException("unknown property type code '" + code + "'");
    }
    return t;
  }

  /**
   * The type of a Java value a JMS message property may hold: String, Boolean, Byte, Short,
   * Integer, Long, Float, Double, Character, null; also UUID and byte[] (AMQP uuid and binary).
   * IllegalArgumentException for anything else.
   */
  public static PropertyType ofJava(Object value) {
    if (value == null) {
      return NULL;
    } else if (value instanceof String) {
      return STRING;
    } else if (value instanceof Boolean) {
      return BOOLEAN;
    } else if (value instanceof Byte) {
      return BYTE;
    } else if (value instanceof Short) {
      return SHORT;
    } else if (value instanceof Integer) {
      return INT;
    } else if (value instanceof Long) {
      return LONG;
    } else if (value instanceof Float) {
      return FLOAT;
    } else if (value instanceof Double) {
      return DOUBLE;
    } else if (value instanceof Character) {
      return CHAR;
    } else if (value instanceof java.util.UUID) {
      return UUID;
    } else if (value instanceof byte[]) {
      return BINARY;
    }
    throw new IllegalArgumentException(
        "a property cannot hold a " + value.getClass().getName() + " value");
  }

  /** The stored text of a Java value of this type ({@link #ofJava}); null for NULL. */
  public String toText(Object value) {
    return switch (this) {
      case NULL -> null;
      case BINARY -> Base64.getEncoder().encodeToString((byte[]) value);
      default -> String.valueOf(value);
    };
  }

  /**
   * The Java value of stored text: String, Boolean, Byte, Short, Integer, Long, Float, Double,
   * Character, null for the JMS types; for the AMQP-only ones UUID, byte[] (binary), Long
   * (timestamp, ubyte, ushort, uint), BigInteger (ulong), String (symbol, decimals as their hex
   * bits). A missing text (null) is null, except for STRING: the empty string.
   * IllegalArgumentException when the text does not parse as this type.
   */
  public Object toJava(String text) {
    if (this == NULL || text == null) {
      // RocketMQ's properties text drops an empty value under a short name: a listed string
      // with no text is the empty string.
      return this == STRING ? "" : null;
    }
    try {
      return switch (this) {
        case STRING, SYMBOL, DECIMAL32, DECIMAL64, DECIMAL128 -> text;
        case BOOLEAN -> parseBoolean(text);
        case BYTE -> Byte.valueOf(text);
        case SHORT -> Short.valueOf(text);
        case INT -> Integer.valueOf(text);
        case LONG, TIMESTAMP -> Long.valueOf(text);
        case FLOAT -> Float.valueOf(text);
        case DOUBLE -> Double.valueOf(text);
        case CHAR -> parseChar(text);
        case UBYTE -> unsigned(text, 0xFFL);
        case USHORT -> unsigned(text, 0xFFFFL);
        case UINT -> unsigned(text, 0xFFFF_FFFFL);
        case ULONG -> parseUnsignedLong(text);
        case UUID -> java.util.UUID.fromString(text);
        case BINARY -> Base64.getDecoder().decode(text);
        case NULL -> null;
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "property text '" + text + "' is not a " + name().toLowerCase(), e);
    }
  }

  /**
   * The value a JMS selector compares: numbers as numbers (ulong beyond a long as a double),
   * booleans, and every other type as its text.
   */
  public Object selectorValue(String text) {
    Object v = toJava(text);
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
    } else if (v instanceof Character || v instanceof java.util.UUID || v instanceof byte[]) {
      return text;
    }
    return v;
  }

  private static Boolean parseBoolean(String text) {
    if (text.equals("true")) {
      return Boolean.TRUE;
    } else if (text.equals("false")) {
      return Boolean.FALSE;
    }
    throw new IllegalArgumentException("not true or false");
  }

  private static Character parseChar(String text) {
    if (text.length() != 1) {
      throw new IllegalArgumentException("not one character");
    }
    return text.charAt(0);
  }

  private static Long unsigned(String text, long max) {
    long v = Long.parseLong(text);
    if (v < 0 || v > max) {
      throw new IllegalArgumentException("out of range");
    }
    return v;
  }

  private static BigInteger parseUnsignedLong(String text) {
    BigInteger v = new BigInteger(text);
    if (v.signum() < 0 || v.bitLength() > 64) {
      throw new IllegalArgumentException("out of range");
    }
    return v;
  }
}
