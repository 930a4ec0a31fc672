package io.wharfmq.amqp.link;

import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.ReceivedMessage;
import java.util.List;

/**
 * AMQP message bytes to service messages and back, as the link endpoints need it. The real mapping
 * is io.wharfmq.amqp.message.AmqpMessageCodec (docs/mapping.md); this seam lets the links run on it
 * and tests run with a codec of their own. Implementations are stateless and thread-safe.
 */
public interface LinkCodec {

  /**
   * Decodes one received message.
   *
   * @throws IllegalArgumentException when the bytes are not an AMQP message (rejected with
   *     amqp:decode-error)
   */
  Inbound decode(byte[] bytes, int offset, int length, long nowMillis);

  /** The encoded message a consumer gets, header included (delivery-count, first-acquirer). */
  byte[] encode(ReceivedMessage message);

  /**
   * As {@link #encode(ReceivedMessage)}, for a message routed through exchange {@code exchange}: it
   * also carries the {@code x-exchange} and {@code x-routing-key} (its tag) annotations.
   */
  default byte[] encode(ReceivedMessage message, String exchange) {
    return encode(message);
  }

  /**
   * A decoded message and what routing needs of it.
   *
   * @param to the message's {@code to} address, or null
   * @param destinationType {@code x-opt-jms-dest}: -1 none, 0 queue, 1 topic, 2 temporary queue, 3
   *     temporary topic
   * @param cc the {@code x-cc} routing keys, or null
   * @param ccError why {@code x-cc} is malformed, or null
   */
  record Inbound(
      OutgoingMessage message, String to, int destinationType, List<String> cc, String ccError) {

    /** A message without {@code x-cc}. */
    public Inbound(OutgoingMessage message, String to, int destinationType) {
      this(message, to, destinationType, null, null);
    }
  }
}
