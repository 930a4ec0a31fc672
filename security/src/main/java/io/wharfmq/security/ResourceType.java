package io.wharfmq.security;

import java.util.Locale;

/**
 * Kinds of resource a permission names. Queues and exchanges live in a vhost; topics and groups are
 * the RocketMQ model's names (an AMQP queue is also a topic and a group underneath, and the native
 * door checks those names). {@link #CLUSTER} stands for the broker itself (admin requests).
 */
public enum ResourceType {
  TOPIC("Topic", false),
  GROUP("Group", false),
  QUEUE("Queue", true),
  EXCHANGE("Exchange", true),
  VHOST("Vhost", false),
  CLUSTER("Cluster", false);

  private final String display;
  private final boolean inVhost;

  ResourceType(String display, boolean inVhost) {
    this.display = display;
    this.inVhost = inVhost;
  }

  public String display() {
    return display;
  }

  /** Whether names of this type are scoped by a vhost. */
  public boolean inVhost() {
    return inVhost;
  }

  public static ResourceType parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (ResourceType r : values()) {
      if (r.display.toLowerCase(Locale.ROOT).equals(t)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown resource type '"
            + text
            + "': use Topic, Group, Queue, Exchange, Vhost or Cluster");
  }
}
