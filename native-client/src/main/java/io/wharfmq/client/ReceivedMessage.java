package io.wharfmq.client;

import java.time.Instant;

/**
 * A message received by a {@link SimpleConsumer}, with what acknowledging it needs: the broker it
 * came from and its receipt handle (RocketMQ's extraInfo: which delivery this is). A handle is
 * valid until the message becomes visible again; {@link SimpleConsumer#changeInvisibleDuration}
 * returns a message with a new handle. Immutable.
 *
 * @param view the message (reconsumeTimes counts earlier deliveries)
 * @param brokerAddress the broker to acknowledge at
 * @param receiptHandle the handle the broker identifies this delivery by
 * @param invisibleUntil when the message becomes visible to other consumers if not acknowledged
 */
public record ReceivedMessage(
    MessageView view, String brokerAddress, String receiptHandle, Instant invisibleUntil) {}
