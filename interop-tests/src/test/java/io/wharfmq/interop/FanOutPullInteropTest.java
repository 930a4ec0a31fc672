package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Status;
import io.wharfmq.store.format.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/storage.md, "Multi-dispatch": a fan-out stored once is pulled from each bound queue by the
 * official RocketMQ pull consumer as that queue's own message, decoded by the client from the
 * spliced record: the queue's topic and offsets, the body and body CRC as sent and stored, the
 * producer's properties, WHARF_DISPATCH_SOURCE naming the exchange, no target list. One queue has
 * the exchange's own name (so the same topic), where the record itself is stored. One in-JVM name
 * server and broker on free 127.0.0.1 ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FanOutPullInteropTest {
  private static final int MESSAGES = 3;

  @TempDir Path dir;
  private final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void everyBoundQueueServesTheFanOutAsItsOwnMessage() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker broker = cluster.startBroker("b1");
    LocalMessagingService service = broker.messagingService();
    assertThat(
            service
                .declareExchange(
                    new ExchangeSpec("/", "fx", ExchangeType.FANOUT, true, false, false, Map.of()))
                .status())
        .isEqualTo(Status.OK);
    List<String> queues = List.of("fx", "fa", "fb");
    for (String q : queues) {
      service.declareQueue(new QueueSpec("/", q, true, false, false, Map.of(), null));
      assertThat(service.bind(new BindingSpec("/", "fx", q, true, "", Map.of())).status())
          .isEqualTo(Status.OK);
    }
    broker.registerNow();
    String exchangeTopic = DestinationNames.topic("/", "fx");
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    for (int i = 0; i < MESSAGES; i++) {
      Message m = new Message(exchangeTopic, "k", ("m" + i).getBytes(StandardCharsets.UTF_8));
      m.putUserProperty("note", "grüße-" + i);
      assertThat(producer.send(m).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
    }
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();

    for (String q : queues) {
      String topic = DestinationNames.topic("/", q);
      List<MessageExt> got =
          clients.readTopic(cluster.namesrvAddr(), OfficialClients.unique("reader"), topic);
      assertThat(got).as("messages of queue %s", q).hasSize(MESSAGES);
      assertThat(got)
          .extracting(m -> new String(m.getBody(), StandardCharsets.UTF_8))
          .as("queue %s", q)
          .containsExactlyInAnyOrder("m0", "m1", "m2");
      for (MessageExt m : got) {
        assertThat(m.getTopic()).isEqualTo(topic);
        assertThat(m.getProperty(MessageProperties.DISPATCH_SOURCE)).isEqualTo(exchangeTopic);
        assertThat(m.getProperty(MessageProperties.DISPATCH)).as("target list").isNull();
        assertThat(m.getTags()).isEqualTo("k");
        String body = new String(m.getBody(), StandardCharsets.UTF_8);
        assertThat(m.getProperty("note")).isEqualTo("grüße-" + body.substring(1));
        assertThat(m.getBodyCRC()).as("stored body CRC").isEqualTo(crc(m.getBody()));
        assertThat(m.getQueueOffset()).isBetween(0L, (long) MESSAGES - 1);
      }
    }
  }

  private static int crc(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    return (int) (crc.getValue() & 0x7FFFFFFF);
  }
}
