package io.wharfmq.interop;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Run in a child JVM by {@link TlsInteropTest}, with RocketMQ's TLS system properties ({@code
 * -Dtls.enable=true ...}): the official client reads them once, in static initializers, so they
 * cannot be set in the test JVM where other tests' clients already run in plain text. Sends {@code
 * count} messages to {@code topic} through the name server at {@code namesrv}, reads the topic
 * back, prints "OK n" and exits 0, or exits 1 with the failure.
 */
final class OfficialTlsClientMain {
  private OfficialTlsClientMain() {}

  public static void main(String[] args) throws Exception {
    String namesrv = args[0];
    String topic = args[1];
    int count = Integer.parseInt(args[2]);
    try (OfficialClients clients = new OfficialClients()) {
      DefaultMQProducer producer = clients.producer(namesrv);
      Set<String> sent = new TreeSet<>();
      for (int i = 0; i < count; i++) {
        String body = "tls-" + i;
        SendStatus status =
            producer
                .send(new Message(topic, body.getBytes(StandardCharsets.UTF_8)))
                .getSendStatus();
        if (status != SendStatus.SEND_OK) {
          throw new IllegalStateException("send " + i + ": " + status);
        }
        sent.add(body);
      }
      List<MessageExt> read = clients.readTopic(namesrv, OfficialClients.unique("tls-cg"), topic);
      Set<String> got = new TreeSet<>();
      read.forEach(m -> got.add(new String(m.getBody(), StandardCharsets.UTF_8)));
      if (!got.equals(sent)) {
        throw new IllegalStateException("sent " + sent + " but read " + got);
      }
      System.out.println("OK " + got.size());
    } catch (Exception | Error e) {
      e.printStackTrace(System.out);
      System.exit(1);
    }
    System.exit(0);
  }
}
