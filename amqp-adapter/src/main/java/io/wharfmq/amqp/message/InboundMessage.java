package io.wharfmq.amqp.message;

import io.wharfmq.service.OutgoingMessage;
import java.util.List;

/**
 * One AMQP message as received, ready to store, and what routing needs of it. Immutable.
 *
 * @param message the record to store (docs/mapping.md); its properties already carry the expiry
 *     ({@code ReservedProperties.EXPIRES_AT}) and the delivery time ({@code
 *     ReservedProperties.DELIVER_AT}, RocketMQ's timer property)
 * @param to the properties' {@code to} address, or null
 * @param destinationType {@code x-opt-jms-dest}: -1 none, 0 queue, 1 topic, 2 temporary queue, 3
 *     temporary topic
 * @param deliverAtMillis the delivery time, epoch ms, from {@code x-opt-delivery-time} or arrival +
 *     {@code x-opt-delivery-delay}; -1 for none
 * @param settledHint the message is not durable (header durable false or absent): the sender
 *     accepts its loss in a broker crash, so a link may settle it before the store syncs
 * @param cc the routing keys of the {@code x-cc} annotation (RabbitMQ's CC), or null
 * @param ccError why the {@code x-cc} annotation is malformed, or null
 */
public record InboundMessage(
    OutgoingMessage message,
    String to,
    int destinationType,
    long deliverAtMillis,
    boolean settledHint,
    List<String> cc,
    String ccError) {}
