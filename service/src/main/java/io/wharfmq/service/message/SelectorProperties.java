package io.wharfmq.service.message;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * What a JMS message selector (the broker's SQL92 filter, a JMS provider's local check) sees of a
 * stored message: the JMS header identifiers mapped to reserved properties, and application
 * properties with their recorded types. Values are the ones JMS 2.0 section 3.8.1 names: numbers,
 * booleans, strings or null. Built per message; not thread-safe; one thread.
 */
public final class SelectorProperties {
  private final Map<String, String> stored;
  private Map<String, PropertyType> types;

  public SelectorProperties(Map<String, String> stored) {
    this.stored = stored;
  }

  /**
   * The value of an identifier: a JMS header, else an application property as its recorded type,
   * else any record property (a RocketMQ producer's, TAGS, KEYS) as its text read as a boolean, a
   * whole number, a decimal or a string, whichever it reads as.
   */
  public Object get(String identifier) {
    if (identifier.startsWith("JMS")) {
      Object header = header(identifier);
      if (header != NOT_A_HEADER) {
        return header;
      }
    }
    if (types == null) {
      types = TypedProperties.types(stored);
    }
    PropertyType type = types.get(identifier);
    if (type != null) {
      try {
        return type.selectorValue(stored.get(ReservedProperties.storedName(identifier)));
      } catch (IllegalArgumentException e) {
        return null; // a damaged value is unknown
      }
    }
    // RocketMQ's SQL92 sees every property, system ones (TAGS, KEYS) included.
    return untyped(stored.get(identifier));
  }

  private static final Object NOT_A_HEADER = new Object();

  private Object header(String identifier) {
    return switch (identifier) {
      case "JMSPriority" -> priority();
      case "JMSMessageID" -> messageId();
      case "JMSCorrelationID" -> correlationId();
      case "JMSType" -> stored.get(ReservedProperties.SUBJECT);
      case "JMSTimestamp" -> number(ReservedProperties.CREATION_TIME);
      case "JMSDeliveryMode" -> durable() ? "PERSISTENT" : "NON_PERSISTENT";
      case "JMSExpiration" -> expiration();
      case "JMSXGroupID" -> stored.get(ReservedProperties.GROUP_ID);
      case "JMSXGroupSeq" -> number(ReservedProperties.GROUP_SEQUENCE);
      case "JMSXUserID" -> userId();
      default -> NOT_A_HEADER;
    };
  }

  private Integer priority() {
    Long p = number(ReservedProperties.PRIORITY);
    return p == null ? 4 : (int) Math.min(p, 9);
  }

  private boolean durable() {
    String d = stored.get(ReservedProperties.DURABLE);
    // A RocketMQ producer's messages are stored durably; an AMQP header without durable is not.
    return d == null ? !stored.containsKey(ReservedProperties.SECTIONS) : d.equals("true");
  }

  private Long expiration() {
    Long at = number(ReservedProperties.EXPIRES_AT);
    return at == null ? 0L : at;
  }

  private String messageId() {
    String id = stored.get(ReservedProperties.MESSAGE_ID);
    if (id == null && !stored.containsKey(ReservedProperties.SECTIONS)) {
      id = stored.get(ReservedProperties.UNIQ_KEY); // what a RocketMQ-born message carries
    }
    return id == null ? null : jmsId(id, stored.get(ReservedProperties.MESSAGE_ID_TYPE), true);
  }

  private String correlationId() {
    String id = stored.get(ReservedProperties.CORRELATION_ID);
    return id == null ? null : jmsId(id, stored.get(ReservedProperties.CORRELATION_ID_TYPE), false);
  }

  /**
   * The JMS form of an AMQP message-id or correlation-id, as Qpid JMS presents it (AMQP JMS Mapping
   * 3.2.1.1): "ID:" strings unchanged, typed ids with an "ID:AMQP_<type>:" prefix, other strings
   * "ID:AMQP_NO_PREFIX:" for message ids and unchanged for correlation ids.
   */
  public static String jmsId(String text, String typeCode, boolean messageId) {
    if (typeCode != null && !typeCode.isEmpty() && typeCode.charAt(0) != 'S') {
      return switch (PropertyType.ofCode(typeCode.charAt(0))) {
        case ULONG -> "ID:AMQP_ULONG:" + text;
        case UUID -> "ID:AMQP_UUID:" + text;
        case BINARY -> "ID:AMQP_BINARY:" + HexFormat.of().withUpperCase().formatHex(base64(text));
        default -> text;
      };
    }
    if (text.startsWith("ID:")) {
      return text.startsWith("ID:AMQP_") ? "ID:AMQP_STRING:" + text : text;
    }
    return messageId ? "ID:AMQP_NO_PREFIX:" + text : text;
  }

  private String userId() {
    String b64 = stored.get(ReservedProperties.USER_ID);
    return b64 == null ? null : new String(base64(b64), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }

  private Long number(String name) {
    String v = stored.get(name);
    if (v == null) {
      return null;
    }
    try {
      return Long.valueOf(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * A RocketMQ property's text as a selector reads it: "true"/"false" as a boolean, a whole number
   * that fits a long as a long, a decimal as a double, anything else as the string.
   */
  public static Object untyped(String v) {
    if (v == null) {
      return null;
    }
    if (v.equals("true") || v.equals("false")) {
      return Boolean.valueOf(v);
    }
    if (v.matches("[+-]?\\d{1,18}")) {
      return Long.valueOf(v);
    }
    if (v.matches("[+-]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][+-]?\\d+)?")) {
      try {
        return Double.valueOf(v);
      } catch (NumberFormatException e) {
        return v;
      }
    }
    return v;
  }
}
