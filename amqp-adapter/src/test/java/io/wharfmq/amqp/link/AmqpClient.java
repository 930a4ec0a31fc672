package io.wharfmq.amqp.link;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.codec.WritableBuffer;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.message.Message;

/** Client-side helpers on raw proton-j links (call them on the harness thread). */
final class AmqpClient {
  private static long tags;

  private AmqpClient() {}

  static Sender sender(Session s, String name, String address, Symbol... caps) {
    Sender snd = s.sender(name);
    Target t = new Target();
    t.setAddress(address);
    if (caps.length > 0) {
      t.setCapabilities(caps);
    }
    snd.setTarget(t);
    snd.setSource(new Source());
    snd.open();
    return snd;
  }

  static Receiver receiver(Session s, String name, Source src) {
    Receiver r = s.receiver(name);
    r.setSource(src);
    r.setTarget(new Target());
    r.open();
    return r;
  }

  static Source source(String address, Symbol... caps) {
    Source src = new Source();
    src.setAddress(address);
    if (caps.length > 0) {
      src.setCapabilities(caps);
    }
    return src;
  }

  static Message text(String body) {
    Message m = Message.Factory.create();
    m.setBody(new AmqpValue(body));
    return m;
  }

  static Message text(String body, Map<String, Object> props) {
    Message m = text(body);
    m.setApplicationProperties(new ApplicationProperties(props));
    return m;
  }

  static Message bytes(byte[] body) {
    Message m = Message.Factory.create();
    m.setBody(new Data(new Binary(body)));
    return m;
  }

  static Message to(Message m, String to, int jmsDest) {
    m.setAddress(to);
    if (jmsDest >= 0) {
      m.setMessageAnnotations(
          new MessageAnnotations(Map.of(Symbol.valueOf("x-opt-jms-dest"), (byte) jmsDest)));
    }
    return m;
  }

  static Delivery send(Sender s, Message m) {
    return send(s, m, null);
  }

  static Delivery send(Sender s, Message m, DeliveryState state) {
    byte[] b = encode(m);
    Delivery d = s.delivery(ByteBuffer.allocate(8).putLong(++tags).array());
    if (state != null) {
      d.disposition(state);
    }
    s.send(b, 0, b.length);
    s.advance();
    return d;
  }

  static byte[] encode(Message m) {
    int size = 4096;
    while (true) {
      ByteBuffer buf = ByteBuffer.allocate(size);
      try {
        m.encode(new WritableBuffer.ByteBufferWrapper(buf));
        byte[] out = new byte[buf.position()];
        buf.flip();
        buf.get(out);
        return out;
      } catch (java.nio.BufferOverflowException e) {
        size *= 4;
      }
    }
  }

  static String body(Message m) {
    Object b = m.getBody();
    if (b instanceof AmqpValue v) {
      return String.valueOf(v.getValue());
    }
    if (b instanceof Data d) {
      return new String(d.getValue().getArray(), StandardCharsets.UTF_8);
    }
    return String.valueOf(b);
  }
}
