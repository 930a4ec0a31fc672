package io.wharfmq.amqp.link;

import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.ReceivedMessage;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.message.Message;

/**
 * A stop-gap codec until io.wharfmq.amqp.message.AmqpMessageCodec is merged: it stores the AMQP
 * message bytes as the record body (so AMQP to AMQP is exact) and copies application properties as
 * strings into the record properties (so selectors see them). Not the documented mapping.
 * Stateless; thread-safe.
 */
final class InterimCodec implements LinkCodec {
  private static final Symbol JMS_DEST = Symbol.valueOf("x-opt-jms-dest");

  @Override
  public Inbound decode(byte[] bytes, int offset, int length, long nowMillis) {
    Message m = Message.Factory.create();
    try {
      m.decode(bytes, offset, length);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an AMQP message: " + e.getMessage(), e);
    }
    Map<String, String> props = new LinkedHashMap<>();
    ApplicationProperties ap = m.getApplicationProperties();
    if (ap != null && ap.getValue() != null) {
      for (Map.Entry<String, Object> e : ap.getValue().entrySet()) {
        if (e.getValue() != null) {
          props.put(e.getKey(), String.valueOf(e.getValue()));
        }
      }
    }
    int destType = -1;
    MessageAnnotations ma = m.getMessageAnnotations();
    if (ma != null && ma.getValue() != null && ma.getValue().get(JMS_DEST) instanceof Number n) {
      destType = n.intValue();
    }
    m.setHeader(null);
    m.setDeliveryAnnotations(null);
    byte[] body = encode(m);
    long born = m.getCreationTime() > 0 ? m.getCreationTime() : nowMillis;
    return new Inbound(
        new OutgoingMessage(body, 0, PropertiesText.encode(props), born, 0),
        m.getAddress(),
        destType);
  }

  @Override
  public byte[] encode(ReceivedMessage message) {
    Message m = Message.Factory.create();
    byte[] body = message.body();
    m.decode(body, 0, body.length);
    Header h = new Header();
    h.setDurable(true);
    h.setDeliveryCount(UnsignedInteger.valueOf(message.reconsumeTimes()));
    h.setFirstAcquirer(message.reconsumeTimes() == 0);
    m.setHeader(h);
    return encode(m);
  }

  private static byte[] encode(Message m) {
    int size = 1024;
    while (true) {
      ByteBuffer buf = ByteBuffer.allocate(size);
      try {
        m.encode(new org.apache.qpid.proton.codec.WritableBuffer.ByteBufferWrapper(buf));
        byte[] out = new byte[buf.position()];
        buf.flip();
        buf.get(out);
        return out;
      } catch (java.nio.BufferOverflowException e) {
        size *= 4;
      }
    }
  }
}
