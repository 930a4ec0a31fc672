package io.wharfmq.service;

import java.util.Map;

/**
 * A RabbitMQ-style queue as declared (the /management node's {@code PUT /queues/Q}). Stored as
 * topic {@link DestinationNames#topic(String, String)} and consumed as group {@link
 * DestinationNames#queueGroup(String)}, the same queue an AMQP plain address or a JMS Queue of that
 * name reaches.
 *
 * @param arguments {@code x-message-ttl}, {@code x-expires}, {@code x-max-length}, {@code
 *     x-max-length-bytes}, {@code x-overflow}, {@code x-dead-letter-exchange}, {@code
 *     x-dead-letter-routing-key}, {@code x-queue-type}, {@code x-single-active-consumer}: String,
 *     Long, Boolean, Double, List or Map values; empty when none
 * @param owner for an exclusive queue, the id of the connection that owns it, else null
 */
public record QueueSpec(
    String vhost,
    String name,
    boolean durable,
    boolean exclusive,
    boolean autoDelete,
    Map<String, Object> arguments,
    String owner) {}
