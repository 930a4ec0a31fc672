package io.wharfmq.amqp.link;

/**
 * A resolved destination: the name clients use, the topic that stores it, and its kind. Immutable.
 *
 * @param name the destination name as clients address it (without {@code /queues/})
 * @param topic the RocketMQ topic ({@link DestinationNames#topic})
 */
record Destination(String name, String topic, Kind kind) {
  enum Kind {
    QUEUE,
    TOPIC,
    TEMP_QUEUE,
    TEMP_TOPIC;

    boolean queueLike() {
      return this == QUEUE || this == TEMP_QUEUE;
    }

    boolean temporary() {
      return this == TEMP_QUEUE || this == TEMP_TOPIC;
    }
  }
}
