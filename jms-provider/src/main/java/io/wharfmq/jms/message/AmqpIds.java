package io.wharfmq.jms.message;

import io.wharfmq.service.message.PropertyType;
import io.wharfmq.service.message.SelectorProperties;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

/**
 * JMSMessageID and JMSCorrelationID to AMQP message-id and correlation-id and back, as Qpid JMS
 * does it (AMQP JMS Mapping 3.2.1.1), so that a message's ids read the same through our provider
 * and through Qpid JMS on the AMQP door: "ID:AMQP_ULONG:", "ID:AMQP_UUID:", "ID:AMQP_BINARY:" name
 * typed ids, "ID:AMQP_STRING:" and "ID:AMQP_NO_PREFIX:" strings, anything else is the string as it
 * is. Stateless; thread-safe.
 */
final class AmqpIds {
  private AmqpIds() {}

  /** An id as a record stores it: its text and the type code (null for a string). */
  record StoredId(String text, String typeCode) {}

  private static final String ULONG = "ID:AMQP_ULONG:";
  private static final String UUID_PREFIX = "ID:AMQP_UUID:";
  private static final String BINARY = "ID:AMQP_BINARY:";
  private static final String STRING = "ID:AMQP_STRING:";
  private static final String NO_PREFIX = "ID:AMQP_NO_PREFIX:";

  /** The JMS form of a binary correlation id (JMSCorrelationIDAsBytes). */
  static String binaryJmsId(byte[] id) {
    return BINARY + HexFormat.of().withUpperCase().formatHex(id);
  }

  /** The JMS form of a stored id. */
  static String jmsId(String text, String typeCode, boolean messageId) {
    return SelectorProperties.jmsId(text, typeCode, messageId);
  }

  /** The stored form of a JMS id; null for null. */
  static StoredId stored(String jmsId) {
    if (jmsId == null) {
      return null;
    }
    try {
      if (jmsId.startsWith(ULONG)) {
        String v = jmsId.substring(ULONG.length());
        PropertyType.ULONG.toJava(v); // checks the range
        return new StoredId(v, code(PropertyType.ULONG));
      } else if (jmsId.startsWith(UUID_PREFIX)) {
        String v = jmsId.substring(UUID_PREFIX.length());
        return new StoredId(UUID.fromString(v).toString(), code(PropertyType.UUID));
      } else if (jmsId.startsWith(BINARY)) {
        byte[] b = HexFormat.of().parseHex(jmsId.substring(BINARY.length()));
        return new StoredId(Base64.getEncoder().encodeToString(b), code(PropertyType.BINARY));
      }
    } catch (IllegalArgumentException notTyped) {
      return new StoredId(jmsId, null); // not a valid typed id: the string as it is
    }
    if (jmsId.startsWith(STRING)) {
      return new StoredId(jmsId.substring(STRING.length()), null);
    } else if (jmsId.startsWith(NO_PREFIX)) {
      return new StoredId(jmsId.substring(NO_PREFIX.length()), null);
    }
    return new StoredId(jmsId, null);
  }

  /** The stored form of a binary id. */
  static StoredId stored(byte[] binary) {
    return new StoredId(Base64.getEncoder().encodeToString(binary), code(PropertyType.BINARY));
  }

  private static String code(PropertyType t) {
    return String.valueOf(t.code());
  }
}
