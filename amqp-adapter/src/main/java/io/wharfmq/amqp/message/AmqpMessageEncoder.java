package io.wharfmq.amqp.message;

import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.message.PropertyType;
import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.service.message.TypedProperties;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a stored record as the AMQP message a consumer gets (docs/mapping.md): header with the
 * delivery count, message annotations, properties, application properties, body and footer. The
 * sections before the body go through the scratch buffer; the message is then laid out in one array
 * with the body copied into it once. Used by one thread at a time (its {@link ProtonCodec}'s).
 */
final class AmqpMessageEncoder {
  private static final Logger log = LoggerFactory.getLogger(AmqpMessageEncoder.class);

  /** The largest AMQP uint. */
  private static final long MAX_UINT = 0xFFFF_FFFFL;

  private final ProtonCodec codec;
  private final ReceivedMessage message;
  private final Map<String, String> stored;
  private final boolean fromAmqp;
  private final String sections;
  private final String exchange;

  AmqpMessageEncoder(ProtonCodec codec, ReceivedMessage message, String exchange) {
    this.codec = codec;
    this.exchange = exchange;
    this.message = message;
    this.stored = message.properties();
    this.sections = stored.get(ReservedProperties.SECTIONS);
    this.fromAmqp = sections != null;
  }

  byte[] encode() {
    Header header = header();
    byte[] rawAnnotations = rawAnnotations();
    MessageAnnotations annotations = rawAnnotations == null ? annotations() : null;
    Properties properties = properties();
    ApplicationProperties applicationProperties = applicationProperties();
    int headLength =
        codec.encode(
            enc -> {
              enc.writeObject(header);
              if (rawAnnotations != null) {
                enc.getBuffer().put(rawAnnotations, 0, rawAnnotations.length);
              } else if (annotations != null) {
                enc.writeObject(annotations);
              }
              if (properties != null) {
                enc.writeObject(properties);
              }
              if (applicationProperties != null) {
                enc.writeObject(applicationProperties);
              }
            });
    byte[] body = message.body();
    String bodyType = stored.getOrDefault(ReservedProperties.BODY, ReservedProperties.BODY_DATA);
    byte[] bodyHead = bodyHead(bodyType, body.length);
    byte[] footer = blob(ReservedProperties.FOOTER, AmqpMessageDecoder.FOOTER);
    int bodyLength = bodyType.equals(ReservedProperties.BODY_NONE) ? 0 : body.length;
    byte[] out =
        new byte[headLength + bodyHead.length + bodyLength + (footer == null ? 0 : footer.length)];
    System.arraycopy(codec.scratch(), 0, out, 0, headLength);
    int at = headLength;
    System.arraycopy(bodyHead, 0, out, at, bodyHead.length);
    at += bodyHead.length;
    System.arraycopy(body, 0, out, at, bodyLength);
    at += bodyLength;
    if (footer != null) {
      System.arraycopy(footer, 0, out, at, footer.length);
    }
    return out;
  }

  private Header header() {
    Header h = new Header();
    String durable = stored.get(ReservedProperties.DURABLE);
    if (durable != null) {
      h.setDurable(Boolean.valueOf(durable));
    } else if (!fromAmqp) {
      h.setDurable(true); // a RocketMQ producer's message is stored durably (JMS PERSISTENT)
    }
    Long priority = ranged(ReservedProperties.PRIORITY, 0xFF);
    if (priority != null) {
      h.setPriority(UnsignedByte.valueOf((byte) (long) priority));
    }
    Long ttl = ranged(ReservedProperties.TTL, MAX_UINT);
    if (ttl != null) {
      h.setTtl(UnsignedInteger.valueOf(ttl));
    }
    int count = message.reconsumeTimes();
    h.setFirstAcquirer(
        count == 0 && !message.deliveredBefore() && !DeathAnnotations.present(stored));
    if (count > 0) {
      h.setDeliveryCount(UnsignedInteger.valueOf(count));
    }
    return h;
  }

  /** The annotations exactly as stored, when nothing is added to them. */
  private byte[] rawAnnotations() {
    if (exchange != null
        || stored.containsKey(ReservedProperties.TAGS)
        || stored.containsKey(ReservedProperties.KEYS)
        || DeathAnnotations.present(stored)) {
      return null;
    }
    return blob(ReservedProperties.MESSAGE_ANNOTATIONS, AmqpMessageDecoder.MESSAGE_ANNOTATIONS);
  }

  @SuppressWarnings("unchecked")
  private MessageAnnotations annotations() {
    Map<Symbol, Object> map = null;
    byte[] kept =
        blob(ReservedProperties.MESSAGE_ANNOTATIONS, AmqpMessageDecoder.MESSAGE_ANNOTATIONS);
    if (kept != null) {
      try {
        codec.decoder.setByteBuffer(ByteBuffer.wrap(kept));
        map = new LinkedHashMap<>(((MessageAnnotations) codec.decoder.readObject()).getValue());
      } catch (RuntimeException damaged) {
        map = new LinkedHashMap<>();
      }
    } else if (fromAmqp && sections.indexOf('M') >= 0) {
      map = new LinkedHashMap<>();
    }
    String tags = stored.get(ReservedProperties.TAGS);
    String keys = stored.get(ReservedProperties.KEYS);
    if (tags != null || keys != null) {
      map = map == null ? new LinkedHashMap<>() : map;
      if (tags != null) {
        map.put(AmqpMessageCodec.TAGS_ANNOTATION, tags);
      }
      if (keys != null) {
        map.put(AmqpMessageCodec.KEYS_ANNOTATION, keys);
      }
    }
    if (exchange != null) {
      map = map == null ? new LinkedHashMap<>() : map;
      map.put(AmqpMessageCodec.EXCHANGE_ANNOTATION, exchange);
      map.put(AmqpMessageCodec.ROUTING_KEY_ANNOTATION, tags == null ? "" : tags);
    }
    if (DeathAnnotations.present(stored)) {
      map = map == null ? new LinkedHashMap<>() : map;
      if (!DeathAnnotations.addTo(map, stored)) {
        invalid(ReservedProperties.DEATHS, stored.get(ReservedProperties.DEATHS));
      }
    }
    return map == null ? null : new MessageAnnotations(map);
  }

  private Properties properties() {
    if (!fromAmqp) {
      Properties p = new Properties();
      String id = stored.get(ReservedProperties.UNIQ_KEY);
      p.setMessageId(id != null ? id : message.offsetMessageId());
      p.setCreationTime(new Date(message.bornTimestamp()));
      Long expiresAt = number(ReservedProperties.EXPIRES_AT);
      if (expiresAt != null) {
        p.setAbsoluteExpiryTime(new Date(expiresAt));
      }
      return p;
    }
    if (sections.indexOf('P') < 0) {
      return null;
    }
    Properties p = new Properties();
    p.setMessageId(id(ReservedProperties.MESSAGE_ID, ReservedProperties.MESSAGE_ID_TYPE));
    String userId = stored.get(ReservedProperties.USER_ID);
    if (userId != null) {
      try {
        p.setUserId(new Binary(Base64.getDecoder().decode(userId)));
      } catch (IllegalArgumentException damaged) {
        invalid(ReservedProperties.USER_ID, userId);
      }
    }
    p.setTo(stored.get(ReservedProperties.TO));
    p.setSubject(stored.get(ReservedProperties.SUBJECT));
    p.setReplyTo(stored.get(ReservedProperties.REPLY_TO));
    p.setCorrelationId(
        id(ReservedProperties.CORRELATION_ID, ReservedProperties.CORRELATION_ID_TYPE));
    p.setContentType(symbol(ReservedProperties.CONTENT_TYPE));
    p.setContentEncoding(symbol(ReservedProperties.CONTENT_ENCODING));
    p.setAbsoluteExpiryTime(date(ReservedProperties.ABSOLUTE_EXPIRY_TIME));
    p.setCreationTime(date(ReservedProperties.CREATION_TIME));
    p.setGroupId(stored.get(ReservedProperties.GROUP_ID));
    Long seq = ranged(ReservedProperties.GROUP_SEQUENCE, MAX_UINT);
    if (seq != null) {
      p.setGroupSequence(UnsignedInteger.valueOf(seq));
    }
    p.setReplyToGroupId(stored.get(ReservedProperties.REPLY_TO_GROUP_ID));
    return p;
  }

  private ApplicationProperties applicationProperties() {
    Map<String, Object> values = new LinkedHashMap<>();
    for (TypedProperties.Entry e : typeList()) {
      String text = stored.get(ReservedProperties.storedName(e.name()));
      Object value;
      try {
        value = AmqpValues.fromText(e.type(), text);
      } catch (IllegalArgumentException damaged) {
        value = text; // a value some other client changed: its text
      }
      values.put(e.name(), value);
    }
    for (Map.Entry<String, String> p : stored.entrySet()) {
      if (ReservedProperties.isUserProperty(p.getKey()) && !values.containsKey(p.getKey())) {
        values.put(p.getKey(), p.getValue());
      }
    }
    if (values.isEmpty() && (!fromAmqp || sections.indexOf('A') < 0)) {
      return null;
    }
    return new ApplicationProperties(values);
  }

  private List<TypedProperties.Entry> typeList() {
    try {
      return TypedProperties.decode(stored.get(ReservedProperties.TYPES));
    } catch (IllegalArgumentException damaged) {
      return List.of(); // every user property then goes out as a string
    }
  }

  /** The body section's descriptor and constructor, before the body bytes. */
  private static byte[] bodyHead(String bodyType, int length) {
    int descriptor;
    int small;
    switch (bodyType) {
      case ReservedProperties.BODY_DATA -> {
        descriptor = AmqpMessageDecoder.DATA;
        small = 0xA0;
      }
      case ReservedProperties.BODY_BINARY -> {
        descriptor = AmqpMessageDecoder.AMQP_VALUE;
        small = 0xA0;
      }
      case ReservedProperties.BODY_STRING -> {
        descriptor = AmqpMessageDecoder.AMQP_VALUE;
        small = 0xA1;
      }
      case ReservedProperties.BODY_NONE, ReservedProperties.BODY_ENCODED -> {
        return new byte[0]; // none, or the sections as sent
      }
      default -> { // not one Wharf writes: the bytes as one data section
        descriptor = AmqpMessageDecoder.DATA;
        small = 0xA0;
      }
    }
    if (length <= 0xFF) {
      return new byte[] {0, 0x53, (byte) descriptor, (byte) small, (byte) length};
    }
    return new byte[] {
      0,
      0x53,
      (byte) descriptor,
      (byte) (small + 0x10),
      (byte) (length >>> 24),
      (byte) (length >>> 16),
      (byte) (length >>> 8),
      (byte) length
    };
  }

  private Object id(String name, String typeName) {
    String text = stored.get(name);
    if (text == null) {
      return null;
    }
    String code = stored.get(typeName);
    PropertyType type =
        code == null || code.isEmpty() ? PropertyType.STRING : PropertyType.ofCode(code.charAt(0));
    try {
      return AmqpValues.fromText(type, text);
    } catch (IllegalArgumentException damaged) {
      return text;
    }
  }

  /**
   * An encoded section kept as Base64, or null when absent or not a section of that kind (the
   * record's properties are open to any client, so they are checked before they go out raw).
   */
  private byte[] blob(String name, int descriptor) {
    String b64 = stored.get(name);
    if (b64 == null) {
      return null;
    }
    try {
      byte[] b = Base64.getDecoder().decode(b64);
      return b.length >= 3 && b[0] == 0 && b[1] == 0x53 && b[2] == descriptor ? b : null;
    } catch (IllegalArgumentException damaged) {
      return null;
    }
  }

  private Symbol symbol(String name) {
    String v = stored.get(name);
    return v == null ? null : Symbol.valueOf(v);
  }

  private Date date(String name) {
    Long v = number(name);
    return v == null ? null : new Date(v);
  }

  /**
   * A number that must fit its AMQP type (0..max), or null. The record's properties are open to any
   * client (a RocketMQ producer may set WHARF_TTL=-1): a value out of range is left out with a log
   * line rather than failing the delivery.
   */
  private Long ranged(String name, long max) {
    Long v = number(name);
    if (v != null && (v < 0 || v > max)) {
      invalid(name, stored.get(name));
      return null;
    }
    return v;
  }

  private void invalid(String name, String value) {
    log.warn(
        "Message {} of {}: {}={} is not a valid AMQP value, left out",
        message.offsetMessageId(),
        message.topic(),
        name,
        value);
  }

  private Long number(String name) {
    String v = stored.get(name);
    if (v == null) {
      return null;
    }
    try {
      return Long.valueOf(v);
    } catch (NumberFormatException e) {
      return null; // a damaged header is left out rather than failing the delivery
    }
  }
}
