package io.wharfmq.security;

import java.util.Objects;

/**
 * One resource a request touches: a type, a name and, for queues and exchanges, the vhost ("/" is
 * the default vhost). Immutable.
 */
public record Resource(ResourceType type, String vhost, String name) {
  /** The default vhost. */
  public static final String DEFAULT_VHOST = "/";

  public Resource {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    vhost = type.inVhost() ? (vhost == null || vhost.isEmpty() ? DEFAULT_VHOST : vhost) : "";
  }

  public static Resource topic(String name) {
    return new Resource(ResourceType.TOPIC, null, name);
  }

  public static Resource group(String name) {
    return new Resource(ResourceType.GROUP, null, name);
  }

  public static Resource queue(String vhost, String name) {
    return new Resource(ResourceType.QUEUE, vhost, name);
  }

  public static Resource exchange(String vhost, String name) {
    return new Resource(ResourceType.EXCHANGE, vhost, name);
  }

  public static Resource vhost(String name) {
    return new Resource(ResourceType.VHOST, null, name);
  }

  /** The broker itself, for admin requests. */
  public static Resource cluster() {
    return new Resource(ResourceType.CLUSTER, null, "*");
  }

  @Override
  public String toString() {
    return type.display()
        + ':'
        + name
        + (type.inVhost() && !DEFAULT_VHOST.equals(vhost) ? "@" + vhost : "");
  }
}
