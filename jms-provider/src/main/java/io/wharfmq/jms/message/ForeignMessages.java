package io.wharfmq.jms.message;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageEOFException;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import java.io.ByteArrayOutputStream;
import java.util.Enumeration;

/**
 * Copies another provider's message into ours ({@link WharfMessage#copyOf}). Destinations are kept
 * as they are: the record mapping reads any Queue, Topic or temporary one by its name. Stateless;
 * thread-safe.
 */
final class ForeignMessages {
  private ForeignMessages() {}

  static WharfMessage copyOf(Message foreign) throws JMSException {
    if (foreign instanceof WharfMessage ours) {
      return ours;
    }
    WharfMessage copy = body(foreign);
    copy.setJMSMessageID(foreign.getJMSMessageID());
    copy.setJMSTimestamp(foreign.getJMSTimestamp());
    byte[] correlationBytes = correlationBytes(foreign);
    if (correlationBytes != null) {
      copy.setJMSCorrelationIDAsBytes(correlationBytes);
    } else {
      copy.setJMSCorrelationID(foreign.getJMSCorrelationID());
    }
    copy.setJMSReplyTo(foreign.getJMSReplyTo());
    copy.setJMSDestination(foreign.getJMSDestination());
    copy.setJMSDeliveryMode(foreign.getJMSDeliveryMode());
    copy.setJMSRedelivered(foreign.getJMSRedelivered());
    copy.setJMSType(foreign.getJMSType());
    copy.setJMSExpiration(foreign.getJMSExpiration());
    copy.setJMSDeliveryTime(foreign.getJMSDeliveryTime());
    copy.setJMSPriority(foreign.getJMSPriority());
    Enumeration<?> names = foreign.getPropertyNames();
    while (names.hasMoreElements()) {
      String name = (String) names.nextElement();
      if (!name.equals(WharfMessage.JMSX_DELIVERY_COUNT)) {
        copy.setObjectProperty(name, foreign.getObjectProperty(name));
      }
    }
    return copy;
  }

  /**
   * A correlation id set as bytes: JMS cannot tell which way it was set, so an id with no string
   * form, or with Qpid JMS's binary form, counts as bytes.
   */
  private static byte[] correlationBytes(Message foreign) throws JMSException {
    String text = foreign.getJMSCorrelationID();
    if (text != null && !text.startsWith("ID:AMQP_BINARY:")) {
      return null;
    }
    try {
      return foreign.getJMSCorrelationIDAsBytes();
    } catch (JMSException | UnsupportedOperationException notSupported) {
      return null;
    }
  }

  private static WharfMessage body(Message foreign) throws JMSException {
    if (foreign instanceof TextMessage t) {
      return new WharfTextMessage(t.getText());
    } else if (foreign instanceof BytesMessage b) {
      b.reset();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      for (int n; (n = b.readBytes(chunk)) > 0; ) {
        out.write(chunk, 0, n);
      }
      b.reset();
      WharfBytesMessage copy = new WharfBytesMessage();
      copy.writeBytes(out.toByteArray());
      return copy;
    } else if (foreign instanceof MapMessage m) {
      WharfMapMessage copy = new WharfMapMessage();
      Enumeration<?> names = m.getMapNames();
      while (names.hasMoreElements()) {
        String name = (String) names.nextElement();
        copy.setObject(name, m.getObject(name));
      }
      return copy;
    } else if (foreign instanceof StreamMessage s) {
      s.reset();
      WharfStreamMessage copy = new WharfStreamMessage();
      while (true) {
        try {
          copy.writeObject(s.readObject());
        } catch (MessageEOFException end) {
          break;
        }
      }
      s.reset();
      return copy;
    } else if (foreign instanceof ObjectMessage o) {
      WharfObjectMessage copy = new WharfObjectMessage();
      copy.setObject(o.getObject());
      return copy;
    }
    return new WharfMessage();
  }
}
