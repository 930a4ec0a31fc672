package io.wharfmq.amqp.management;

/**
 * One HTTP-over-AMQP response. Immutable.
 *
 * @param status the HTTP status code (the response's {@code subject})
 * @param body a map, a list, an error text or null (the {@code amqp-value} body)
 */
public record ManagementResponse(int status, Object body) {}
