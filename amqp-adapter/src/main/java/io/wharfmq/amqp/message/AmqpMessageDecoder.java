package io.wharfmq.amqp.message;

import static io.wharfmq.service.message.ReservedProperties.ABSOLUTE_EXPIRY_TIME;
import static io.wharfmq.service.message.ReservedProperties.BODY;
import static io.wharfmq.service.message.ReservedProperties.BODY_BINARY;
import static io.wharfmq.service.message.ReservedProperties.BODY_DATA;
import static io.wharfmq.service.message.ReservedProperties.BODY_ENCODED;
import static io.wharfmq.service.message.ReservedProperties.BODY_NONE;
import static io.wharfmq.service.message.ReservedProperties.BODY_STRING;
import static io.wharfmq.service.message.ReservedProperties.CONTENT_ENCODING;
import static io.wharfmq.service.message.ReservedProperties.CONTENT_TYPE;
import static io.wharfmq.service.message.ReservedProperties.CORRELATION_ID;
import static io.wharfmq.service.message.ReservedProperties.CORRELATION_ID_TYPE;
import static io.wharfmq.service.message.ReservedProperties.CREATION_TIME;
import static io.wharfmq.service.message.ReservedProperties.DELIVER_AT;
import static io.wharfmq.service.message.ReservedProperties.DURABLE;
import static io.wharfmq.service.message.ReservedProperties.EXPIRES_AT;
import static io.wharfmq.service.message.ReservedProperties.GROUP_ID;
import static io.wharfmq.service.message.ReservedProperties.GROUP_SEQUENCE;
import static io.wharfmq.service.message.ReservedProperties.JMS_MSG_TYPE;
import static io.wharfmq.service.message.ReservedProperties.KEYS;
import static io.wharfmq.service.message.ReservedProperties.MESSAGE_ID;
import static io.wharfmq.service.message.ReservedProperties.MESSAGE_ID_TYPE;
import static io.wharfmq.service.message.ReservedProperties.PRIORITY;
import static io.wharfmq.service.message.ReservedProperties.REPLY_TO;
import static io.wharfmq.service.message.ReservedProperties.REPLY_TO_GROUP_ID;
import static io.wharfmq.service.message.ReservedProperties.REPLY_TO_TYPE;
import static io.wharfmq.service.message.ReservedProperties.SECTIONS;
import static io.wharfmq.service.message.ReservedProperties.SUBJECT;
import static io.wharfmq.service.message.ReservedProperties.TAGS;
import static io.wharfmq.service.message.ReservedProperties.TO;
import static io.wharfmq.service.message.ReservedProperties.TTL;
import static io.wharfmq.service.message.ReservedProperties.TYPES;
import static io.wharfmq.service.message.ReservedProperties.USER_ID;

import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.message.PropertyType;
import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.service.message.TypedProperties;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Footer;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.codec.DecoderImpl;

/**
 * Reads one encoded AMQP message into the record Wharf stores (docs/mapping.md). Walks the sections
 * in place; the body's bytes are copied once, into the record body. Used by one thread at a time
 * (its {@link ProtonCodec}'s).
 */
final class AmqpMessageDecoder {
  static final int HEADER = 0x70;
  static final int DELIVERY_ANNOTATIONS = 0x71;
  static final int MESSAGE_ANNOTATIONS = 0x72;
  static final int PROPERTIES = 0x73;
  static final int APPLICATION_PROPERTIES = 0x74;
  static final int DATA = 0x75;
  static final int AMQP_SEQUENCE = 0x76;
  static final int AMQP_VALUE = 0x77;
  static final int FOOTER = 0x78;

  /** The most a record's properties text may take (a two-byte length, docs/formats.md). */
  static final int MAX_PROPERTIES_BYTES = Short.MAX_VALUE;

  private static final String[] SECTION_SYMBOLS = {
    "amqp:header:list",
    "amqp:delivery-annotations:map",
    "amqp:message-annotations:map",
    "amqp:properties:list",
    "amqp:application-properties:map",
    "amqp:data:binary",
    "amqp:amqp-sequence:list",
    "amqp:amqp-value:*",
    "amqp:footer:map"
  };

  private final ProtonCodec codec;
  private final byte[] bytes;
  private final ByteBuffer buffer;
  private final long now;

  private Header header;
  private Map<Symbol, Object> annotations;
  private int annotationsStart = -1;
  private int annotationsEnd;
  private Properties properties;
  private ApplicationProperties applicationProperties;
  private int bodyStart = -1;
  private int bodyEnd;
  private int bodyKind = -1;
  private int bodySections;
  private String bodyType = BODY_NONE;
  private int payloadStart;
  private int payloadEnd;
  private Footer footer;
  private int footerStart = -1;
  private int footerEnd;
  private long expiresAt = -1;
  private long creation;

  AmqpMessageDecoder(ProtonCodec codec, byte[] bytes, int offset, int length, long now) {
    if (offset < 0 || length < 0 || offset + length > bytes.length) {
      throw new IllegalArgumentException("message bytes out of range");
    }
    this.codec = codec;
    this.bytes = bytes;
    this.buffer = ByteBuffer.wrap(bytes, offset, length);
    this.now = now;
    this.creation = now;
  }

  InboundMessage decode() {
    readSections();
    Map<String, String> stored = new LinkedHashMap<>();
    StringBuilder sections = new StringBuilder();
    if (header != null) {
      sections.append('H');
      headerFields(stored);
    }
    if (annotations != null) {
      sections.append('M');
    }
    if (properties != null) {
      sections.append('P');
      propertiesFields(stored, properties);
    }
    if (expiresAt >= 0) {
      stored.put(EXPIRES_AT, Long.toString(expiresAt));
    }
    Annotations a = annotations();
    a.putInto(stored);
    if (applicationProperties != null) {
      sections.append('A');
      applicationProperties(stored);
    }
    if (a.blob != null) {
      stored.put(ReservedProperties.MESSAGE_ANNOTATIONS, a.blob);
    }
    if (footerStart >= 0) {
      stored.put(ReservedProperties.FOOTER, kept(footer, footerStart, footerEnd, FOOTER));
    }
    stored.put(BODY, bodyType);
    stored.put(SECTIONS, sections.toString());
    String text = PropertiesText.encode(stored);
    checkSize(text);
    OutgoingMessage message = new OutgoingMessage(body(), 0, text, creation, 0);
    boolean durable = header != null && Boolean.TRUE.equals(header.getDurable());
    String to = properties == null ? null : properties.getTo();
    return new InboundMessage(
        message, to, a.destinationType, a.deliverAt, !durable, a.cc, a.ccError);
  }

  private void headerFields(Map<String, String> stored) {
    if (header.getDurable() != null) {
      stored.put(DURABLE, header.getDurable().toString());
    }
    if (header.getPriority() != null) {
      stored.put(PRIORITY, Integer.toString(header.getPriority().intValue()));
    }
    if (header.getTtl() != null) {
      long ttl = header.getTtl().longValue();
      stored.put(TTL, Long.toString(ttl));
      expiresAt = now + ttl; // AMQP counts the ttl from arrival at this node
    }
  }

  private void propertiesFields(Map<String, String> stored, Properties p) {
    id(stored, p.getMessageId(), MESSAGE_ID, MESSAGE_ID_TYPE);
    if (p.getUserId() != null) {
      stored.put(USER_ID, AmqpValues.base64(p.getUserId()));
    }
    putIfSet(stored, TO, p.getTo());
    putIfSet(stored, SUBJECT, p.getSubject());
    putIfSet(stored, REPLY_TO, p.getReplyTo());
    id(stored, p.getCorrelationId(), CORRELATION_ID, CORRELATION_ID_TYPE);
    putIfSet(stored, CONTENT_TYPE, p.getContentType());
    putIfSet(stored, CONTENT_ENCODING, p.getContentEncoding());
    if (p.getAbsoluteExpiryTime() != null) {
      long at = p.getAbsoluteExpiryTime().getTime();
      stored.put(ABSOLUTE_EXPIRY_TIME, Long.toString(at));
      if (at > 0) {
        expiresAt = at; // the absolute time wins over the header ttl, as in Qpid JMS
      }
    }
    if (p.getCreationTime() != null) {
      creation = p.getCreationTime().getTime();
      stored.put(CREATION_TIME, Long.toString(creation));
    }
    putIfSet(stored, GROUP_ID, p.getGroupId());
    if (p.getGroupSequence() != null) {
      stored.put(GROUP_SEQUENCE, Long.toString(p.getGroupSequence().longValue()));
    }
    putIfSet(stored, REPLY_TO_GROUP_ID, p.getReplyToGroupId());
  }

  private void readSections() {
    int last = -1;
    while (buffer.hasRemaining()) {
      int start = buffer.position();
      int code = descriptor();
      if (code < last
          || (code == last && code != DATA && code != AMQP_SEQUENCE)
          || (bodyKind >= 0 && code != FOOTER && code != bodyKind)) {
        throw new IllegalArgumentException(
            "AMQP message section 0x" + Integer.toHexString(code) + " out of order");
      }
      last = code;
      switch (code) {
        case HEADER -> header = (Header) whole(start);
        case DELIVERY_ANNOTATIONS -> whole(start); // not kept: they are for the next hop only
        case MESSAGE_ANNOTATIONS -> {
          annotations = ((MessageAnnotations) whole(start)).getValue();
          annotationsStart = start;
          annotationsEnd = buffer.position();
        }
        case PROPERTIES -> properties = (Properties) whole(start);
        case APPLICATION_PROPERTIES -> applicationProperties = (ApplicationProperties) whole(start);
        case DATA, AMQP_SEQUENCE, AMQP_VALUE -> bodySection(start, code);
        case FOOTER -> {
          footer = (Footer) whole(start);
          footerStart = start;
          footerEnd = buffer.position();
        }
        default ->
            throw new IllegalArgumentException(
                "unknown AMQP message section 0x" + Integer.toHexString(code));
      }
    }
  }

  /** Reads a section's descriptor; leaves the buffer at its value. */
  private int descriptor() {
    if (buffer.get() != 0) {
      throw new IllegalArgumentException("an AMQP message section must be a described type");
    }
    int constructor = buffer.get() & 0xFF;
    long code;
    switch (constructor) {
      case 0x53 -> code = buffer.get() & 0xFF;
      case 0x80 -> code = buffer.getLong();
      case 0x44 -> code = 0;
      case 0xA3, 0xB3 -> {
        int len = constructor == 0xA3 ? buffer.get() & 0xFF : buffer.getInt();
        if (len < 0 || len > buffer.remaining()) {
          throw new IllegalArgumentException("AMQP section descriptor longer than the message");
        }
        String symbol = new String(bytes, buffer.position(), len, StandardCharsets.US_ASCII);
        buffer.position(buffer.position() + len);
        code = Arrays.asList(SECTION_SYMBOLS).indexOf(symbol);
        code = code < 0 ? -1 : code + HEADER;
      }
      default ->
          throw new IllegalArgumentException(
              "bad AMQP section descriptor constructor 0x" + Integer.toHexString(constructor));
    }
    if (code < HEADER || code > FOOTER) {
      throw new IllegalArgumentException("unknown AMQP message section descriptor " + code);
    }
    return (int) code;
  }

  /** Decodes the whole described section that starts at {@code start}. */
  private Object whole(int start) {
    buffer.position(start);
    DecoderImpl d = codec.decoder;
    d.setByteBuffer(buffer);
    Object section = d.readObject();
    if (section == null) {
      throw new IllegalArgumentException("AMQP section decodes to nothing");
    }
    return section;
  }

  private void bodySection(int start, int code) {
    if (bodyStart < 0) {
      bodyStart = start;
      bodyKind = code;
    }
    bodySections++;
    int constructor = buffer.get(buffer.position()) & 0xFF;
    boolean binary = constructor == 0xA0 || constructor == 0xB0;
    boolean string = constructor == 0xA1 || constructor == 0xB1;
    if ((code == DATA && binary) || (code == AMQP_VALUE && (binary || string))) {
      buffer.get();
      int len = (constructor & 0xF0) == 0xA0 ? buffer.get() & 0xFF : buffer.getInt();
      if (len < 0 || len > buffer.remaining()) {
        throw new IllegalArgumentException("AMQP body longer than the message");
      }
      payloadStart = buffer.position();
      payloadEnd = payloadStart + len;
      buffer.position(payloadEnd);
      bodyType = code == DATA ? BODY_DATA : binary ? BODY_BINARY : BODY_STRING;
    } else if (code == DATA) {
      throw new IllegalArgumentException("an AMQP data section must hold binary");
    } else {
      DecoderImpl d = codec.decoder;
      d.setByteBuffer(buffer);
      d.readConstructor().skipValue();
      bodyType = BODY_ENCODED;
    }
    if (bodySections > 1) {
      bodyType = BODY_ENCODED;
    }
    bodyEnd = buffer.position();
  }

  private byte[] body() {
    return switch (bodyType) {
      case BODY_NONE -> new byte[0];
      case BODY_ENCODED -> Arrays.copyOfRange(bytes, bodyStart, bodyEnd);
      default -> Arrays.copyOfRange(bytes, payloadStart, payloadEnd);
    };
  }

  private void applicationProperties(Map<String, String> stored) {
    Map<String, Object> values = applicationProperties.getValue();
    if (values == null) {
      return;
    }
    StringBuilder types = new StringBuilder();
    for (Map.Entry<?, Object> e : ((Map<?, Object>) values).entrySet()) {
      if (!(e.getKey() instanceof String name)) {
        throw new IllegalArgumentException("AMQP application property names must be strings");
      }
      PropertyType type = AmqpValues.typeOf(e.getValue());
      String text = AmqpValues.toText(type, e.getValue());
      if (text != null) {
        stored.put(ReservedProperties.storedName(name), text);
      }
      TypedProperties.append(types, name, type);
    }
    stored.put(TYPES, types.toString());
  }

  private static void id(Map<String, String> stored, Object id, String name, String typeName) {
    if (id == null) {
      return;
    }
    PropertyType type = AmqpValues.typeOf(id);
    switch (type) {
      case STRING -> {}
      case ULONG, UUID, BINARY -> stored.put(typeName, String.valueOf(type.code()));
      default ->
          throw new IllegalArgumentException(
              "an AMQP message-id or correlation-id cannot be a " + type.name().toLowerCase());
    }
    stored.put(name, AmqpValues.toText(type, id));
  }

  private static void putIfSet(Map<String, String> stored, String name, Object value) {
    if (value != null) {
      stored.put(name, value.toString());
    }
  }

  private String base64(int from, int to) {
    return StandardCharsets.ISO_8859_1
        .decode(Base64.getEncoder().encode(ByteBuffer.wrap(bytes, from, to - from)))
        .toString();
  }

  private static void checkSize(String text) {
    if (text.length() > MAX_PROPERTIES_BYTES / 3
        && text.getBytes(StandardCharsets.UTF_8).length > MAX_PROPERTIES_BYTES) {
      throw new IllegalArgumentException(
          "the message's properties and headers take over "
              + MAX_PROPERTIES_BYTES
              + " bytes, more than a record holds");
    }
  }

  /** What the message annotations say, and what of them is kept as they are. */
  private static final class Annotations {
    String tags;
    String keys;
    Integer jmsType;
    Integer replyToType;
    int destinationType = -1;
    long deliverAt = -1;
    String blob;
    List<String> cc;
    String ccError;

    void putInto(Map<String, String> stored) {
      if (tags != null) {
        stored.put(TAGS, tags);
      }
      if (keys != null) {
        stored.put(KEYS, keys);
      }
      if (jmsType != null) {
        stored.put(JMS_MSG_TYPE, jmsType.toString());
      }
      if (replyToType != null) {
        stored.put(REPLY_TO_TYPE, replyToType.toString());
      }
      if (deliverAt >= 0) {
        stored.put(DELIVER_AT, Long.toString(deliverAt));
      }
    }
  }

  private Annotations annotations() {
    Annotations a = new Annotations();
    if (annotations == null) {
      return a;
    }
    Map<Symbol, Object> kept = new LinkedHashMap<>();
    for (Map.Entry<?, Object> e : ((Map<?, Object>) annotations).entrySet()) {
      String key = String.valueOf(e.getKey());
      Object v = e.getValue();
      if (key.equals(AmqpMessageCodec.TAGS_ANNOTATION.toString()) && v instanceof String s) {
        a.tags = s;
        continue;
      } else if (key.equals(AmqpMessageCodec.KEYS_ANNOTATION.toString()) && v instanceof String s) {
        a.keys = s;
        continue;
      }
      if (key.equals("x-exchange") || key.equals("x-routing-key")) {
        continue; // set by the broker on delivery; a publisher's own are not trusted
      }
      if (key.equals("x-cc")) {
        a.cc = cc(v);
        if (a.cc == null) {
          a.ccError = "x-cc must be a list of strings";
        }
      }
      switch (key) {
        case "x-opt-jms-msg-type" -> a.jmsType = smallNumber(v);
        case "x-opt-jms-reply-to" -> a.replyToType = smallNumber(v);
        case "x-opt-jms-dest" -> {
          Integer t = smallNumber(v);
          a.destinationType = t == null ? -1 : t;
        }
        case "x-opt-delivery-time" -> {
          long at = time(v);
          if (at > 0) {
            a.deliverAt = at;
          }
        }
        case "x-opt-delivery-delay" -> {
          long delay = time(v);
          if (delay > 0 && !annotations.containsKey(AmqpMessageCodec.DELIVERY_TIME)) {
            a.deliverAt = now + delay;
          }
        }
        default -> {}
      }
      kept.put(e.getKey() instanceof Symbol sym ? sym : Symbol.valueOf(key), v);
    }
    if (kept.size() == annotations.size()) {
      a.blob =
          kept(new MessageAnnotations(kept), annotationsStart, annotationsEnd, MESSAGE_ANNOTATIONS);
    } else if (!kept.isEmpty()) {
      a.blob = encoded(new MessageAnnotations(kept));
    }
    return a;
  }

  /**
   * A section to keep as Base64: its bytes as sent when its descriptor is the small-ulong one (what
   * the encoder checks before writing it out raw), else encoded again.
   */
  private String kept(Object section, int from, int to, int descriptor) {
    if (bytes[from + 1] == 0x53 && bytes[from + 2] == descriptor) {
      return base64(from, to); // as sent, byte for byte
    }
    return encoded(section);
  }

  private String encoded(Object section) {
    int len = codec.encode(enc -> enc.writeObject(section));
    return StandardCharsets.ISO_8859_1
        .decode(Base64.getEncoder().encode(ByteBuffer.wrap(codec.scratch(), 0, len)))
        .toString();
  }

  /** The routing keys of an {@code x-cc} annotation, or null when it is not a list of strings. */
  private static List<String> cc(Object v) {
    List<?> items;
    if (v instanceof List<?> l) {
      items = l;
    } else if (v instanceof Object[] array) {
      items = Arrays.asList(array);
    } else {
      return null;
    }
    List<String> keys = new ArrayList<>(items.size());
    for (Object o : items) {
      if (!(o instanceof String s)) {
        return null;
      }
      keys.add(s);
    }
    return keys;
  }

  private static Integer smallNumber(Object v) {
    return v instanceof Number n ? (Integer) n.intValue() : null;
  }

  private static long time(Object v) {
    if (v instanceof Date d) {
      return d.getTime();
    } else if (v instanceof UnsignedLong u) {
      return u.longValue();
    } else if (v instanceof Number n) {
      return n.longValue();
    }
    return -1;
  }
}
