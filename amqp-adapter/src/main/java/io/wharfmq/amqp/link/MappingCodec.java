package io.wharfmq.amqp.link;

import io.wharfmq.amqp.message.AmqpMessageCodec;
import io.wharfmq.amqp.message.InboundMessage;
import io.wharfmq.service.ReceivedMessage;

/** The documented message mapping (docs/mapping.md) as the links use it. Stateless; thread-safe. */
final class MappingCodec implements LinkCodec {
  @Override
  public Inbound decode(byte[] bytes, int offset, int length, long nowMillis) {
    InboundMessage in = AmqpMessageCodec.decode(bytes, offset, length, nowMillis);
    return new Inbound(in.message(), in.to(), in.destinationType(), in.cc(), in.ccError());
  }

  @Override
  public byte[] encode(ReceivedMessage message) {
    return AmqpMessageCodec.encode(message);
  }

  @Override
  public byte[] encode(ReceivedMessage message, String exchange) {
    return AmqpMessageCodec.encode(message, exchange);
  }
}
