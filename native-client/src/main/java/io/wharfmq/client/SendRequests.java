package io.wharfmq.client;

import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.store.format.MessageProperties;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes SEND_MESSAGE_V2 (310, one-letter header keys a..n) and SEND_BATCH_MESSAGE (320, body
 * format of the RocketMQ reference section 3.6), and decodes send responses. Stateless.
 */
final class SendRequests {
  private SendRequests() {}

  static final String WAIT = "WAIT";
  static final String SHARDING_KEY = "__SHARDINGKEY";

  /** Properties of a half (transactional) message. */
  static final String TRAN_MSG = "TRAN_MSG";

  static final String PGROUP = "PGROUP";

  /** The sysFlag of a half message (RocketMQ TRANSACTION_PREPARED_TYPE). */
  static final int TRANSACTION_PREPARED = 0x4;

  /** A message ready for the wire: its id, property string, body and header sysFlag. */
  record Prepared(
      String topic, String msgId, String properties, byte[] body, boolean batch, int sysFlag) {}

  /** The property string of one message: user properties, then the system ones. */
  static String properties(Message m, String msgId, String shardingKey) {
    Map<String, String> p = new LinkedHashMap<>(m.properties());
    if (!m.keys().isEmpty()) {
      p.put(MessageProperties.KEYS, String.join(" ", m.keys()));
    }
    p.put(MessageProperties.UNIQ_KEY, msgId);
    p.put(WAIT, "true");
    if (m.tags() != null && !m.tags().isEmpty()) {
      p.put(MessageProperties.TAGS, m.tags());
    }
    if (shardingKey != null) {
      p.put(SHARDING_KEY, shardingKey);
    }
    return MessageProperties.encode(p);
  }

  static Prepared single(Message m, String msgId, String shardingKey) {
    return new Prepared(m.topic(), msgId, properties(m, msgId, shardingKey), m.body(), false, 0);
  }

  /** A half message of {@code producerGroup}: TRAN_MSG and PGROUP set, sysFlag prepared. */
  static Prepared half(Message m, String msgId, String producerGroup) {
    if (m.delayLevel() != 0) {
      throw new IllegalArgumentException("a transactional message cannot have a delay level");
    }
    Map<String, String> p = new LinkedHashMap<>(m.properties());
    p.put(TRAN_MSG, "true");
    p.put(PGROUP, producerGroup);
    Message half = new Message(m.topic(), m.tags(), m.keys(), m.body(), p);
    return new Prepared(
        m.topic(), msgId, properties(half, msgId, null), m.body(), false, TRANSACTION_PREPARED);
  }

  /**
   * A batch: every message with its own id and properties in the body; the header carries only the
   * batch's own id and WAIT.
   */
  static Prepared batch(List<Message> messages, List<String> msgIds, String batchId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < messages.size(); i++) {
      batchEntry(out, messages.get(i), properties(messages.get(i), msgIds.get(i), null), i);
    }
    Map<String, String> header = new LinkedHashMap<>();
    header.put(MessageProperties.UNIQ_KEY, batchId);
    header.put(WAIT, "true");
    return new Prepared(
        messages.get(0).topic(),
        String.join(",", msgIds),
        MessageProperties.encode(header),
        out.toByteArray(),
        true,
        0);
  }

  /** Appends one message in the batch body format (RocketMQ reference section 3.6). */
  private static void batchEntry(ByteArrayOutputStream out, Message m, String properties, int i) {
    byte[] props = properties.getBytes(StandardCharsets.UTF_8);
    if (props.length > Short.MAX_VALUE) {
      throw new IllegalArgumentException("properties of batch message " + i + " too long");
    }
    int size = 4 + 4 + 4 + 4 + 4 + m.body().length + 2 + props.length;
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(size).putInt(0).putInt(0).putInt(0);
    b.putInt(m.body().length).put(m.body());
    b.putShort((short) props.length).put(props);
    out.writeBytes(b.array());
  }

  /**
   * WHARF_SEND_TRANSACTION (docs/protocol.md): per message its topic (2-byte length, UTF-8), its
   * queue id (4 bytes), then the message as in a batch body, with its id and sharding key.
   */
  static RemotingCommand transaction(
      List<Message> messages,
      List<MessageQueue> queues,
      List<String> msgIds,
      List<String> shardingKeys,
      String producerGroup,
      long bornTimestamp) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      byte[] topic = m.topic().getBytes(StandardCharsets.UTF_8);
      out.writeBytes(
          ByteBuffer.allocate(2 + topic.length + 4)
              .putShort((short) topic.length)
              .put(topic)
              .putInt(queues.get(i).queueId())
              .array());
      batchEntry(out, m, properties(m, msgIds.get(i), shardingKeys.get(i)), i);
    }
    return RemotingCommand.request(RequestCode.WHARF_SEND_TRANSACTION)
        .put("producerGroup", producerGroup)
        .put("bornTimestamp", bornTimestamp)
        .body(out.toByteArray());
  }

  static RemotingCommand request(
      Prepared p, MessageQueue mq, String producerGroup, long bornTimestamp) {
    return RemotingCommand.request(
            p.batch() ? RequestCode.SEND_BATCH_MESSAGE : RequestCode.SEND_MESSAGE_V2)
        .put("a", producerGroup)
        .put("b", mq.topic())
        .put("c", TopicRoutes.DEFAULT_TOPIC)
        .put("d", TopicRoutes.DEFAULT_TOPIC_QUEUE_NUMS)
        .put("e", mq.queueId())
        .put("f", p.sysFlag())
        .put("g", bornTimestamp)
        .put("h", 0)
        .put("i", p.properties())
        .put("j", 0)
        .put("k", false)
        .put("m", p.batch())
        .put("n", mq.brokerName())
        .body(p.body());
  }

  /** The result of a send response; a ClientException for refusals. */
  static SendResult result(RemotingCommand r, Prepared p, MessageQueue mq) {
    SendStatus status =
        switch (r.code()) {
          case ResponseCode.SUCCESS -> SendStatus.SEND_OK;
          case ResponseCode.FLUSH_DISK_TIMEOUT -> SendStatus.FLUSH_DISK_TIMEOUT;
          case ResponseCode.FLUSH_SLAVE_TIMEOUT -> SendStatus.FLUSH_SLAVE_TIMEOUT;
          case ResponseCode.SLAVE_NOT_AVAILABLE -> SendStatus.SLAVE_NOT_AVAILABLE;
          default ->
              throw new ClientException(
                  r.code(),
                  "broker "
                      + mq.brokerName()
                      + " refused the message: "
                      + r.code()
                      + " "
                      + r.remark());
        };
    String queueId = r.get("queueId");
    String queueOffset = r.get("queueOffset");
    if (queueId == null || queueOffset == null) {
      throw new ClientException(r.code(), "send response without queueId/queueOffset");
    }
    return new SendResult(
        status,
        p.msgId(),
        r.get("msgId"),
        new MessageQueue(mq.topic(), mq.brokerName(), Integer.parseInt(queueId)),
        Long.parseLong(queueOffset));
  }

  /** Codes worth retrying elsewhere (RocketMQ's retryResponseCodes, minus the unit/buyer ones). */
  static boolean retriable(ClientException e) {
    return switch (e.code()) {
      case ClientException.NO_RESPONSE,
              ResponseCode.TOPIC_NOT_EXIST,
              ResponseCode.SERVICE_NOT_AVAILABLE,
              ResponseCode.SYSTEM_ERROR,
              ResponseCode.SYSTEM_BUSY,
              ResponseCode.NO_PERMISSION,
              ResponseCode.GO_AWAY ->
          true;
      default -> false;
    };
  }
}
