package io.wharfmq.store.bench;

import io.wharfmq.store.format.MessageEncoder;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import java.net.InetSocketAddress;
import java.util.Random;

/**
 * Builds the messages one benchmark thread appends: a fixed random body, tag "TagA" and a UNIQ_KEY
 * that is unique per message (as the RocketMQ producer sets it) but of fixed width, so every record
 * has the same encoded size and the raw baseline can write records of exactly that size. The key
 * makes the dispatcher index every message, as it would in a broker. Owned by one thread.
 */
final class BenchMessages {
  static final String TOPIC = "BenchTopic";
  private static final InetSocketAddress HOST = new InetSocketAddress("127.0.0.1", 10911);
  private static final String PREFIX =
      MessageProperties.TAGS
          + MessageProperties.NAME_VALUE_SEPARATOR
          + "TagA"
          + MessageProperties.PROPERTY_SEPARATOR
          + MessageProperties.UNIQ_KEY
          + MessageProperties.NAME_VALUE_SEPARATOR;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final int KEY_HEX_DIGITS = 32;

  private final int queueId;
  private final byte[] body;
  private final long bornTimestamp;
  private final char[] properties;
  private long counter;

  /**
   * @param queueId the queue this thread appends to
   * @param keyPrefix distinguishes threads and runs so keys never repeat within a store
   */
  BenchMessages(int queueId, byte[] body, long keyPrefix, long bornTimestamp) {
    this.queueId = queueId;
    this.body = body;
    this.bornTimestamp = bornTimestamp;
    this.properties = (PREFIX + "0".repeat(KEY_HEX_DIGITS) + "\u0002").toCharArray();
    writeHex(PREFIX.length(), keyPrefix);
  }

  /** A random body of {@code size} bytes, the same for every run of that size. */
  static byte[] body(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  /** The encoded record of a message of this shape: what the raw baseline writes. */
  static byte[] sampleRecord(byte[] body) {
    return MessageEncoder.encode(new BenchMessages(0, body, 0, 0).next(), Integer.MAX_VALUE)
        .bytes();
  }

  MessageToStore next() {
    writeHex(PREFIX.length() + KEY_HEX_DIGITS / 2, counter++);
    return new MessageToStore(
        TOPIC, queueId, 0, body, new String(properties), 0, bornTimestamp, HOST, HOST, 0, 0L);
  }

  private void writeHex(int at, long value) {
    for (int i = KEY_HEX_DIGITS / 2 - 1; i >= 0; i--) {
      properties[at + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }
}
