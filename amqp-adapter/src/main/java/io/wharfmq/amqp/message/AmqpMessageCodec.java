package io.wharfmq.amqp.message;

import io.wharfmq.service.ReceivedMessage;
import java.nio.BufferUnderflowException;
import org.apache.qpid.proton.amqp.Symbol;

/**
 * AMQP 1.0 messages to the one record Wharf stores and back (gateway.md section 2; the table is
 * docs/mapping.md). AMQP to AMQP keeps the bare message (properties, application properties with
 * their types, every body section) and the message annotations and footer; delivery annotations are
 * dropped. A RocketMQ producer's message reaches AMQP as one data section with its user properties
 * as string application properties and its tags and keys in {@link #TAGS_ANNOTATION} and {@link
 * #KEYS_ANNOTATION}.
 *
 * <p>Thread-safe: each thread uses its own proton-j decoder and encoder.
 */
public final class AmqpMessageCodec {
  /** The RocketMQ tag (record property TAGS), as a string annotation, both ways. */
  public static final Symbol TAGS_ANNOTATION = Symbol.valueOf("x-opt-rocketmq-tags");

  /** The RocketMQ keys, space-separated (record property KEYS), as a string annotation. */
  public static final Symbol KEYS_ANNOTATION = Symbol.valueOf("x-opt-rocketmq-keys");

  /** The exchange a delivered message was published to (RabbitMQ's annotation). */
  public static final Symbol EXCHANGE_ANNOTATION = Symbol.valueOf("x-exchange");

  /** The routing key a delivered message was published with (RabbitMQ's annotation). */
  public static final Symbol ROUTING_KEY_ANNOTATION = Symbol.valueOf("x-routing-key");

  static final Symbol DELIVERY_TIME = Symbol.valueOf("x-opt-delivery-time");

  private static final ThreadLocal<ProtonCodec> CODEC = ThreadLocal.withInitial(ProtonCodec::new);

  private AmqpMessageCodec() {}

  /**
   * Decodes one message as a producer sent it (the transfer's payload).
   *
   * @param nowMillis arrival time: header ttl and x-opt-delivery-delay count from it, and it is the
   *     born time of a message without creation-time
   * @throws IllegalArgumentException when the bytes are not an AMQP message Wharf can store, with
   *     the reason (the link answers rejected with amqp:decode-error)
   */
  public static InboundMessage decode(byte[] bytes, int offset, int length, long nowMillis) {
    try {
      return new AmqpMessageDecoder(CODEC.get(), bytes, offset, length, nowMillis).decode();
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("AMQP message truncated", e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("AMQP message does not decode: " + e, e);
    }
  }

  /**
   * Encodes a stored message for a consumer, header included: delivery-count = the message's
   * reconsume times, first-acquirer when it is 0; ttl as the producer sent it.
   */
  public static byte[] encode(ReceivedMessage message) {
    return new AmqpMessageEncoder(CODEC.get(), message, null).encode();
  }

  /**
   * As {@link #encode(ReceivedMessage)}, for a message routed through an exchange: with the {@link
   * #EXCHANGE_ANNOTATION} ({@code exchange}) and {@link #ROUTING_KEY_ANNOTATION} (the message's
   * tag, empty when it has none) annotations RabbitMQ puts on every delivery.
   */
  public static byte[] encode(ReceivedMessage message, String exchange) {
    return new AmqpMessageEncoder(CODEC.get(), message, exchange).encode();
  }
}
