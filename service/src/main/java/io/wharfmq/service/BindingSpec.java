package io.wharfmq.service;

import java.util.Map;

/**
 * A binding from exchange {@code source} to a queue or to another exchange.
 *
 * @param destinationIsQueue true: {@code destination} names a queue; false: an exchange
 * @param bindingKey the key (direct: equal; topic: pattern; fanout and headers: ignored)
 * @param arguments header-exchange match arguments ({@code x-match} and the headers), else empty
 */
public record BindingSpec(
    String vhost,
    String source,
    String destination,
    boolean destinationIsQueue,
    String bindingKey,
    Map<String, Object> arguments) {}
