package io.wharfmq.jms.message;

import static io.wharfmq.service.message.ReservedProperties.BODY;
import static io.wharfmq.service.message.ReservedProperties.BODY_BINARY;
import static io.wharfmq.service.message.ReservedProperties.BODY_DATA;
import static io.wharfmq.service.message.ReservedProperties.BODY_ENCODED;
import static io.wharfmq.service.message.ReservedProperties.BODY_NONE;
import static io.wharfmq.service.message.ReservedProperties.BODY_STRING;
import static io.wharfmq.service.message.ReservedProperties.CONTENT_TYPE;
import static io.wharfmq.service.message.ReservedProperties.JMS_MSG_TYPE;

import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpSequence;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Data;

/**
 * Message bodies to record bodies and back (docs/mapping.md), in the sections Qpid JMS sends:
 * TextMessage an amqp-value string (null: amqp-value null), BytesMessage and ObjectMessage one data
 * section (content-type application/octet-stream and {@link WharfObjectMessage#CONTENT_TYPE}),
 * MapMessage an amqp-value map, StreamMessage an amqp-sequence, Message no body. Stateless;
 * thread-safe.
 */
final class RecordBodies {
  private RecordBodies() {}

  static final String OCTET_STREAM = "application/octet-stream";

  /** A record body, how it holds the AMQP body (WHARF_BODY) and the content-type it implies. */
  record Encoded(byte[] bytes, String kind, String contentType) {}

  static Encoded encode(WharfMessage m) throws JMSException {
    if (m instanceof WharfTextMessage t) {
      String text = t.getText();
      return text == null
          ? new Encoded(AmqpSections.encode(new AmqpValue(null)), BODY_ENCODED, null)
          : new Encoded(text.getBytes(StandardCharsets.UTF_8), BODY_STRING, null);
    } else if (m instanceof WharfBytesMessage b) {
      return new Encoded(b.bodyBytes(), BODY_DATA, OCTET_STREAM);
    } else if (m instanceof WharfObjectMessage o) {
      byte[] s = o.serialized();
      return new Encoded(
          s != null ? s : WharfObjectMessage.serialize(null),
          BODY_DATA,
          WharfObjectMessage.CONTENT_TYPE);
    } else if (m instanceof WharfMapMessage map) {
      Map<String, Object> value = new LinkedHashMap<>();
      map.entries().forEach((k, v) -> value.put(k, toAmqp(v)));
      return new Encoded(AmqpSections.encode(new AmqpValue(value)), BODY_ENCODED, null);
    } else if (m instanceof WharfStreamMessage s) {
      List<Object> list = new ArrayList<>(s.values().size());
      s.values().forEach(v -> list.add(toAmqp(v)));
      return new Encoded(AmqpSections.encode(new AmqpSequence(list)), BODY_ENCODED, null);
    }
    return new Encoded(new byte[0], BODY_NONE, null);
  }

  private static Object toAmqp(Object v) {
    return v instanceof byte[] b ? new Binary(b) : v;
  }

  private static Object fromAmqp(Object v) {
    if (v instanceof Binary b) {
      return b.getArray().length == b.getLength() && b.getArrayOffset() == 0
          ? b.getArray()
          : java.util.Arrays.copyOfRange(
              b.getArray(), b.getArrayOffset(), b.getArrayOffset() + b.getLength());
    } else if (v instanceof Symbol s) {
      return s.toString();
    }
    return v;
  }

  /** The message a record body holds, by WHARF_BODY, WHARF_JMS_MSG_TYPE and the content-type. */
  static WharfMessage decode(byte[] body, Map<String, String> p, List<String> trusted)
      throws JMSException {
    int type = jmsType(p.get(JMS_MSG_TYPE));
    String contentType = p.get(CONTENT_TYPE);
    return switch (p.getOrDefault(BODY, BODY_DATA)) {
      case BODY_STRING -> new WharfTextMessage(new String(body, StandardCharsets.UTF_8));
      case BODY_BINARY -> new WharfBytesMessage(body);
      case BODY_NONE -> empty(type, trusted);
      case BODY_ENCODED -> encoded(body, type, contentType, trusted);
      default -> data(body, type, contentType, trusted);
    };
  }

  private static int jmsType(String text) {
    try {
      return text == null ? -1 : Integer.parseInt(text);
    } catch (NumberFormatException damaged) {
      return -1;
    }
  }

  /** One or more data sections' bytes, as Qpid JMS reads them. */
  private static WharfMessage data(byte[] bytes, int type, String contentType, List<String> trusted)
      throws JMSException {
    if (type == 1 || (type < 0 && WharfObjectMessage.CONTENT_TYPE.equals(contentType))) {
      WharfObjectMessage o = new WharfObjectMessage(trusted);
      o.serialized(bytes);
      return o;
    } else if (type == 5 || (type < 0 && isText(contentType))) {
      return new WharfTextMessage(new String(bytes, StandardCharsets.UTF_8));
    }
    return new WharfBytesMessage(bytes);
  }

  private static boolean isText(String contentType) {
    return contentType != null
        && (contentType.startsWith("text/")
            || contentType.startsWith("application/json")
            || contentType.startsWith("application/xml"));
  }

  private static WharfMessage empty(int type, List<String> trusted) {
    return switch (type) {
      case 1 -> new WharfObjectMessage(trusted);
      case 2 -> new WharfMapMessage();
      case 3 -> new WharfBytesMessage(new byte[0]);
      case 4 -> new WharfStreamMessage();
      case 5 -> new WharfTextMessage();
      default -> new WharfMessage();
    };
  }

  @SuppressWarnings("unchecked")
  private static WharfMessage encoded(
      byte[] body, int type, String contentType, List<String> trusted) throws JMSException {
    List<Object> sections;
    try {
      sections = AmqpSections.decode(body);
    } catch (IllegalArgumentException e) {
      MessageFormatException f = new MessageFormatException(e.getMessage());
      f.initCause(e);
      throw f;
    }
    if (sections.isEmpty()) {
      return empty(type, trusted);
    }
    Object first = sections.get(0);
    if (first instanceof Data) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (Object s : sections) {
        byte[] b = (byte[]) fromAmqp(((Data) s).getValue());
        all.writeBytes(b);
      }
      return data(all.toByteArray(), type, contentType, trusted);
    } else if (first instanceof AmqpSequence) {
      WharfStreamMessage stream = new WharfStreamMessage();
      for (Object s : sections) {
        for (Object v : (List<Object>) ((AmqpSequence) s).getValue()) {
          stream.addValue(fromAmqp(v));
        }
      }
      return type == 1 ? object(listOf(stream), trusted) : stream;
    } else if (!(first instanceof AmqpValue)) {
      throw new MessageFormatException("the record body is not AMQP body sections");
    }
    Object v = ((AmqpValue) first).getValue();
    if (v instanceof Map<?, ?> map && type != 1) {
      WharfMapMessage m = new WharfMapMessage();
      map.forEach((k, x) -> m.entries().put(String.valueOf(k), fromAmqp(x)));
      return m;
    } else if (v instanceof List<?> list && type != 1) {
      WharfStreamMessage stream = new WharfStreamMessage();
      list.forEach(x -> stream.addValue(fromAmqp(x)));
      return stream;
    } else if (v == null) {
      return empty(type, trusted);
    } else if (v instanceof String s) {
      return new WharfTextMessage(s);
    } else if (v instanceof Binary b) {
      return new WharfBytesMessage((byte[]) fromAmqp(b));
    }
    return object(v, trusted); // an AMQP-typed ObjectMessage (JMS_AMQP_TYPED_ENCODING)
  }

  private static List<Object> listOf(WharfStreamMessage stream) {
    return new ArrayList<>(stream.values());
  }

  private static WharfMessage object(Object v, List<String> trusted) throws JMSException {
    if (!(v instanceof Serializable s)) {
      throw new MessageFormatException(
          "the body's AMQP value (" + v.getClass().getName() + ") is not a Java object");
    }
    WharfObjectMessage o = new WharfObjectMessage(trusted);
    o.serialized(WharfObjectMessage.serialize(s));
    return o;
  }
}
