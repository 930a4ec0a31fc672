package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.UtilAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Consume-from-timestamp, several name servers, and garbage on the broker port. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProtocolEdgesInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  DefaultMQProducer producer(String namesrv) throws Exception {
    return clients.producer(namesrv);
  }

  @Test
  void aNewGroupConsumesFromATimestamp() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    cluster.startBroker("broker-a");
    DefaultMQProducer producer = producer(cluster.namesrvAddr());
    for (int i = 0; i < 30; i++) {
      producer.send(new Message("Timed", "T", ("old-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    // The client's consume timestamp has one-second resolution: cut at the next whole second.
    long cut = (System.currentTimeMillis() / 1000 + 1) * 1000;
    Awaitility.await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> System.currentTimeMillis() > cut + 20);
    for (int i = 0; i < 30; i++) {
      producer.send(new Message("Timed", "T", ("new-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    Set<String> seen = ConcurrentHashMap.newKeySet();
    DefaultMQPushConsumer c = new DefaultMQPushConsumer("cg-timed");
    c.setNamesrvAddr(cluster.namesrvAddr());
    c.setInstanceName(OfficialClients.unique("c"));
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_TIMESTAMP);
    c.setConsumeTimestamp(UtilAll.timeMillisToHumanString3(cut));
    c.subscribe("Timed", "*");
    c.registerMessageListener(
        (MessageListenerConcurrently)
            (msgs, ctx) -> {
              msgs.forEach(m -> seen.add(new String(m.getBody(), StandardCharsets.UTF_8)));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    c.start();
    clients.track(c::shutdown);
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= 30);
    assertThat(seen).allMatch(s -> s.startsWith("new-")).hasSize(30);
  }

  @Test
  void aBrokerRegistersWithEveryNameServerAndEachServesRoutesAlone() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    NameServer second = new NameServer(new NamesrvConfig().listenPort(0).bindAddress("127.0.0.1"));
    second.start();
    clients.closeLast(second::shutdown);
    String both = cluster.namesrvAddr() + ";127.0.0.1:" + second.port();
    Broker broker = cluster.startBroker(cluster.brokerConfig("broker-a").namesrvAddr(both));
    assertThat(broker.registerNow()).isEqualTo(2);
    DefaultMQProducer viaFirst = producer(cluster.namesrvAddr());
    assertThat(
            viaFirst
                .send(new Message("Multi", "T", "a".getBytes(StandardCharsets.UTF_8)))
                .getSendStatus())
        .isEqualTo(SendStatus.SEND_OK);
    broker.registerNow();
    cluster.namesrv.shutdown(); // the first name server goes away
    DefaultMQProducer viaSecond = producer("127.0.0.1:" + second.port());
    assertThat(
            viaSecond
                .send(new Message("Multi", "T", "b".getBytes(StandardCharsets.UTF_8)))
                .getSendStatus())
        .isEqualTo(SendStatus.SEND_OK);
  }

  @Test
  void garbageOnTheBrokerPortClosesThatConnectionOnly() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker broker = cluster.startBroker("broker-a");
    DefaultMQProducer producer = producer(cluster.namesrvAddr());
    assertThat(
            producer
                .send(new Message("Robust", "T", "1".getBytes(StandardCharsets.UTF_8)))
                .getSendStatus())
        .isEqualTo(SendStatus.SEND_OK);
    byte[][] attacks = {
      "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
      ByteBuffer.allocate(8).putInt(100 * 1024 * 1024).putInt(0).array(),
      frame("{\"code\":310,\"extFields\":"),
      frame("{\"code\":310,\"flag\":0,\"opaque\":1,\"extFields\":{\"b\":\"Robust\"}}"),
    };
    for (byte[] attack : attacks) {
      try (Socket s = new Socket("127.0.0.1", broker.port())) {
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write(attack);
        out.flush();
        InputStream in = s.getInputStream();
        in.read(); // either closed (-1) or an error response: must not hang or crash the broker
      }
    }
    assertThat(
            producer
                .send(new Message("Robust", "T", "2".getBytes(StandardCharsets.UTF_8)))
                .getSendStatus())
        .isEqualTo(SendStatus.SEND_OK);
  }

  private static byte[] frame(String json) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length).putInt(4 + h.length).putInt(h.length).put(h).array();
  }
}
