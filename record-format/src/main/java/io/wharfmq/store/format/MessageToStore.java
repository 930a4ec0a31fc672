package io.wharfmq.store.format;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One message as a caller hands it to the store. The store assigns the queue offset, the physical
 * offset and the store timestamp when it appends.
 *
 * @param topic topic name, 1..32767 UTF-8 bytes
 * @param queueId queue within the topic, non-negative
 * @param flag user flag, stored as is
 * @param body message body, stored as is (possibly compressed by the producer)
 * @param properties encoded properties string ({@link MessageProperties})
 * @param sysFlag RocketMQ SYSFLAG bits; the IPv6 host bits are set by the encoder from the hosts
 * @param bornTimestamp producer's send time, ms
 * @param bornHost producer address
 * @param storeHost broker address written into the record (used for offset message ids)
 * @param reconsumeTimes delivery attempts so far
 * @param preparedTransactionOffset half-message offset for a transaction commit record, else 0
 */
public record MessageToStore(
    String topic,
    int queueId,
    int flag,
    byte[] body,
    String properties,
    int sysFlag,
    long bornTimestamp,
    InetSocketAddress bornHost,
    InetSocketAddress storeHost,
    int reconsumeTimes,
    long preparedTransactionOffset) {

  public MessageToStore {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(bornHost, "bornHost");
    Objects.requireNonNull(storeHost, "storeHost");
    if (queueId < 0) {
      throw new IllegalArgumentException("queueId must be >= 0: " + queueId);
    }
  }

  /** A plain message with loopback hosts; convenient for tools, tests and benchmarks. */
  public static MessageToStore of(
      String topic, int queueId, byte[] body, String properties, long bornTimestamp) {
    InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
    return new MessageToStore(
        topic, queueId, 0, body, properties, 0, bornTimestamp, loopback, loopback, 0, 0L);
  }
}
