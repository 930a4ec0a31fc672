package io.wharfmq.amqp.message;

import io.wharfmq.service.message.PropertyType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.UUID;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Decimal128;
import org.apache.qpid.proton.amqp.Decimal32;
import org.apache.qpid.proton.amqp.Decimal64;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.UnsignedShort;

/**
 * proton-j values of AMQP simple types to {@link PropertyType} text and back: the stored form of
 * application properties, message-ids and correlation-ids. Stateless; thread-safe.
 */
final class AmqpValues {
  private AmqpValues() {}

  /** The type of a proton-j value; IllegalArgumentException for a compound or described one. */
  static PropertyType typeOf(Object v) {
    if (v == null) {
      return PropertyType.NULL;
    } else if (v instanceof String) {
      return PropertyType.STRING;
    } else if (v instanceof Boolean) {
      return PropertyType.BOOLEAN;
    } else if (v instanceof Byte) {
      return PropertyType.BYTE;
    } else if (v instanceof Short) {
      return PropertyType.SHORT;
    } else if (v instanceof Integer) {
      return PropertyType.INT;
    } else if (v instanceof Long) {
      return PropertyType.LONG;
    } else if (v instanceof Float) {
      return PropertyType.FLOAT;
    } else if (v instanceof Double) {
      return PropertyType.DOUBLE;
    } else if (v instanceof Character) {
      return PropertyType.CHAR;
    } else if (v instanceof UnsignedByte) {
      return PropertyType.UBYTE;
    } else if (v instanceof UnsignedShort) {
      return PropertyType.USHORT;
    } else if (v instanceof UnsignedInteger) {
      return PropertyType.UINT;
    } else if (v instanceof UnsignedLong) {
      return PropertyType.ULONG;
    } else if (v instanceof Date) {
      return PropertyType.TIMESTAMP;
    } else if (v instanceof UUID) {
      return PropertyType.UUID;
    } else if (v instanceof Binary) {
      return PropertyType.BINARY;
    } else if (v instanceof Symbol) {
      return PropertyType.SYMBOL;
    } else if (v instanceof Decimal32) {
      return PropertyType.DECIMAL32;
    } else if (v instanceof Decimal64) {
      return PropertyType.DECIMAL64;
    } else if (v instanceof Decimal128) {
      return PropertyType.DECIMAL128;
    }
    throw new IllegalArgumentException(
        "an AMQP application property or id cannot be a " + v.getClass().getSimpleName());
  }

  /** The stored text of a proton-j value of {@code type}; null for NULL. */
  static String toText(PropertyType type, Object v) {
    return switch (type) {
      case NULL -> null;
      case UBYTE -> Integer.toString(((UnsignedByte) v).intValue());
      case USHORT -> Integer.toString(((UnsignedShort) v).intValue());
      case UINT -> Long.toString(((UnsignedInteger) v).longValue());
      case ULONG -> Long.toUnsignedString(((UnsignedLong) v).longValue());
      case TIMESTAMP -> Long.toString(((Date) v).getTime());
      case BINARY -> base64((Binary) v);
      case DECIMAL32 -> HexFormat.of().toHexDigits(((Decimal32) v).getBits());
      case DECIMAL64 -> HexFormat.of().toHexDigits(((Decimal64) v).getBits());
      case DECIMAL128 ->
          HexFormat.of().toHexDigits(((Decimal128) v).getMostSignificantBits())
              + HexFormat.of().toHexDigits(((Decimal128) v).getLeastSignificantBits());
      default -> v.toString();
    };
  }

  /** The proton-j value of stored text; IllegalArgumentException when it does not parse. */
  static Object fromText(PropertyType type, String text) {
    if (text == null) {
      return type.toJava(null);
    }
    return switch (type) {
      case UBYTE -> UnsignedByte.valueOf((byte) (long) (Long) type.toJava(text));
      case USHORT -> UnsignedShort.valueOf((short) (long) (Long) type.toJava(text));
      case UINT -> UnsignedInteger.valueOf((Long) type.toJava(text));
      case ULONG -> UnsignedLong.valueOf(text);
      case TIMESTAMP -> new Date((Long) type.toJava(text));
      case BINARY -> new Binary((byte[]) type.toJava(text));
      case SYMBOL -> Symbol.valueOf(text);
      case DECIMAL32 -> new Decimal32(HexFormat.fromHexDigits(text));
      case DECIMAL64 -> new Decimal64(HexFormat.fromHexDigitsToLong(text));
      case DECIMAL128 ->
          new Decimal128(
              HexFormat.fromHexDigitsToLong(text, 0, 16),
              HexFormat.fromHexDigitsToLong(text, 16, 32));
      default -> type.toJava(text);
    };
  }

  static String base64(Binary b) {
    ByteBuffer slice = ByteBuffer.wrap(b.getArray(), b.getArrayOffset(), b.getLength());
    return StandardCharsets.ISO_8859_1.decode(Base64.getEncoder().encode(slice)).toString();
  }
}
