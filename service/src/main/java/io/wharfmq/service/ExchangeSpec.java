package io.wharfmq.service;

import java.util.Map;

/**
 * An exchange as declared (RabbitMQ's {@code exchange.declare}, the /management node's {@code PUT
 * /exchanges/X}). Stored as topic {@link DestinationNames#topic(String, String)} of its vhost and
 * name; a message published to it is stored once, with the routing key as its tag.
 *
 * @param vhost the vhost, {@code /} by default
 * @param arguments declare arguments ({@code alternate-exchange}, ...): String, Long, Boolean,
 *     Double, List or Map values; empty when none
 */
public record ExchangeSpec(
    String vhost,
    String name,
    ExchangeType type,
    boolean durable,
    boolean autoDelete,
    boolean internal,
    Map<String, Object> arguments) {}
