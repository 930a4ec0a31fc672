package io.wharfmq.amqp.management;

/**
 * One HTTP-over-AMQP request to the /management node. Immutable.
 *
 * @param messageId the request's message-id (the response's correlation-id)
 * @param method the HTTP method, from {@code properties.subject}
 * @param target the HTTP request target (percent-encoded path and query), from {@code
 *     properties.to}
 * @param replyTo must be {@code $me} (link pair)
 * @param body the {@code amqp-value} body: a map for PUT and POST, else null
 */
public record ManagementRequest(
    Object messageId, String method, String target, String replyTo, Object body) {}
