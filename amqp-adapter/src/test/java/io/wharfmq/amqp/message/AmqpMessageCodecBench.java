package io.wharfmq.amqp.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.message.Message;

/**
 * Prints how fast the codec takes a message in (bytes to record) and out (record to bytes), next to
 * a baseline measured in the same run: proton-j's Message API decoding and encoding the same
 * message (what a broker that keeps AMQP messages as they are would at least do). Not a test: run
 * {@code java -cp <test classpath> io.wharfmq.amqp.message.AmqpMessageCodecBench}. Single thread.
 */
public final class AmqpMessageCodecBench {
  private AmqpMessageCodecBench() {}

  /** A Qpid JMS TextMessage or BytesMessage with a few properties, {@code size} body bytes. */
  static byte[] message(boolean text, int size) {
    Message m = Message.Factory.create();
    m.setDurable(true);
    Map<Symbol, Object> ma = new LinkedHashMap<>();
    ma.put(Symbol.valueOf("x-opt-jms-msg-type"), (byte) (text ? 5 : 3));
    ma.put(Symbol.valueOf("x-opt-jms-dest"), (byte) 0);
    m.setMessageAnnotations(new MessageAnnotations(ma));
    Properties p = new Properties();
    p.setMessageId("ID:9f3c0a7e-5b2d-4f7a-9c1e-2d4b6a8c0e1f:1:1:1-1");
    p.setTo("orders");
    p.setCreationTime(new Date(1_780_000_000_000L));
    m.setProperties(p);
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("count", 10);
    app.put("color", "red");
    m.setApplicationProperties(new ApplicationProperties(app));
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) 'x');
    m.setBody(
        text
            ? new AmqpValue(new String(body, StandardCharsets.US_ASCII))
            : new Data(new Binary(body)));
    byte[] buf = new byte[size + 4096];
    int n = m.encode(buf, 0, buf.length);
    return Arrays.copyOf(buf, n);
  }

  public static void main(String[] args) {
    for (int size : new int[] {1024, 64 * 1024}) {
      for (boolean text : new boolean[] {true, false}) {
        run((text ? "text " : "bytes ") + size + " B", message(text, size));
      }
    }
  }

  private static void run(String name, byte[] bytes) {
    int n = bytes.length > 10_000 ? 20_000 : 200_000;
    StoredRecord stored =
        StoredRecord.of(AmqpMessageCodec.decode(bytes, 0, bytes.length, 0).message(), 0);
    byte[] out = new byte[bytes.length + 4096];
    long sink = 0;
    double wharfIn = 0;
    double wharfOut = 0;
    double protonIn = 0;
    double protonOut = 0;
    for (int round = 0; round < 5; round++) { // the first rounds warm up; the last one counts
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += AmqpMessageCodec.decode(bytes, 0, bytes.length, i).message().body().length;
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += AmqpMessageCodec.encode(stored).length;
      }
      long t2 = System.nanoTime();
      Message m = Message.Factory.create();
      for (int i = 0; i < n; i++) {
        m = Message.Factory.create();
        sink += m.decode(bytes, 0, bytes.length);
      }
      long t3 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += m.encode(out, 0, out.length);
      }
      long t4 = System.nanoTime();
      wharfIn = n * 1e9 / (t1 - t0);
      wharfOut = n * 1e9 / (t2 - t1);
      protonIn = n * 1e9 / (t3 - t2);
      protonOut = n * 1e9 / (t4 - t3);
    }
    System.out.printf(
        "%-14s in: wharf %,9.0f msg/s, proton Message.decode %,9.0f msg/s (ratio %.2f);"
            + " out: wharf %,9.0f msg/s, proton Message.encode %,9.0f msg/s (ratio %.2f)"
            + "  [%d]%n",
        name,
        wharfIn,
        protonIn,
        wharfIn / protonIn,
        wharfOut,
        protonOut,
        wharfOut / protonOut,
        sink & 1);
  }
}
