package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.remoting.codec.RemotingCommandCodec;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.LanguageCode;
import org.apache.rocketmq.remoting.protocol.SerializeType;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Wharf's response headers as the official client reads them: frames Wharf encodes, in both header
 * formats, decoded by the official client's own decoder; and the official producer and consumer
 * against a broker set to each {@code responseSerializeType}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeaderFormatInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void theOfficialDecoderReadsWharfFramesInBothFormats() throws Exception {
    Random rnd = new Random(11);
    for (int i = 0; i < 500; i++) {
      RemotingCommand ours = RemotingCommand.request(rnd.nextInt(400));
      ours.flag(rnd.nextInt(4)).opaque(rnd.nextInt(Integer.MAX_VALUE));
      int fields = rnd.nextInt(6);
      for (int k = 0; k < fields; k++) {
        ours.put("key\u00e9" + k, "value \"\\\u20ac\n" + rnd.nextLong());
      }
      if (rnd.nextBoolean()) {
        ours.remark("remark \u00fc\u4e2d " + rnd.nextInt());
      }
      byte[] body = new byte[rnd.nextInt(100)];
      rnd.nextBytes(body);
      ours.body(body);
      boolean binary = i % 2 == 0;
      ours.serializeType(
          binary ? RemotingCommand.SerializeType.ROCKETMQ : RemotingCommand.SerializeType.JSON);
      ByteBuf out = Unpooled.buffer();
      RemotingCommandCodec.encodeHeader(ours, out);
      assertThat(out.readInt()).isEqualTo(out.readableBytes());

      org.apache.rocketmq.remoting.protocol.RemotingCommand theirs =
          org.apache.rocketmq.remoting.protocol.RemotingCommand.decode(out);
      assertThat(theirs.getSerializeTypeCurrentRPC())
          .isEqualTo(binary ? SerializeType.ROCKETMQ : SerializeType.JSON);
      assertThat(theirs.getCode()).isEqualTo(ours.code());
      assertThat(theirs.getLanguage()).isEqualTo(LanguageCode.JAVA);
      assertThat(theirs.getVersion()).isEqualTo(ours.version());
      assertThat(theirs.getOpaque()).isEqualTo(ours.opaque());
      assertThat(theirs.getFlag()).isEqualTo(ours.flag());
      assertThat(theirs.getRemark()).isEqualTo(ours.remark());
      Map<String, String> ext = theirs.getExtFields();
      assertThat(ext == null ? Map.of() : ext).isEqualTo(ours.extFields());
      assertThat(theirs.getBody()).isEqualTo(body.length == 0 ? null : body);
    }
  }

  @ParameterizedTest
  @EnumSource(ResponseSerializeType.class)
  void theOfficialClientSendsAndConsumesWithEveryResponseFormat(ResponseSerializeType type)
      throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    BrokerConfig config = cluster.brokerConfig("broker-a").responseSerializeType(type);
    cluster.startBroker(config);
    String topic = "Formats" + type;
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    // Sends first: the topic then exists when the consumer starts, so it is assigned at once.
    for (int i = 0; i < 20; i++) {
      SendResult r =
          producer.send(new Message(topic, "T", ("m-" + i).getBytes(StandardCharsets.UTF_8)));
      assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
      assertThat(r.getOffsetMsgId()).hasSize(32);
      assertThat(r.getQueueOffset()).isNotNegative();
    }
    List<Message> batch =
        List.of(
            new Message(topic, "T", "b-0".getBytes(StandardCharsets.UTF_8)),
            new Message(topic, "T", "b-1".getBytes(StandardCharsets.UTF_8)));
    assertThat(producer.send(batch).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
    Set<String> received = ConcurrentHashMap.newKeySet();
    clients.start(
        clients.pushConsumer(
            cluster.namesrvAddr(),
            "g-" + type,
            topic,
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, context) -> {
              msgs.forEach(m -> received.add(new String(m.getBody(), StandardCharsets.UTF_8)));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(received).hasSize(22).contains("m-0", "m-19", "b-1"));
  }
}
