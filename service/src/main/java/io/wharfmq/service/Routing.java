package io.wharfmq.service;

import java.util.List;

/**
 * A publish to an exchange rather than to a topic or queue: the service routes the message through
 * the exchange's bindings and stores it once for every queue it reaches (docs/rabbitmq.md).
 *
 * @param vhost the exchange's vhost
 * @param exchange the exchange's name (not its topic)
 * @param routingKeys the routing key first (stored as the tag), then the {@code x-cc} keys
 */
public record Routing(String vhost, String exchange, List<String> routingKeys) {}
