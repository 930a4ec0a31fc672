package io.wharfmq.service;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * How AMQP destination names become RocketMQ topic and group names (docs/amqp.md, "Destinations").
 * A name made only of {@code [A-Za-z0-9_-]} is its own topic, so a RocketMQ client reaches the same
 * destination by that name. Any other name is escaped: every byte of its UTF-8 form outside that
 * set becomes {@code %HH} (upper-case hex), which is reversible and legal in a RocketMQ topic. An
 * escaped name longer than 127 characters keeps its first 100 characters and gets {@code %%} plus
 * 24 hex digits of its SHA-256 (the only place {@code %%} occurs, so it never collides with an
 * escaped name; such a topic is not reversible by name). A vhost other than {@code /} prefixes
 * topics and groups with its escaped name and {@code |}, a character the escape never produces.
 * Stateless; thread-safe.
 */
public final class DestinationNames {
  /** RocketMQ's topic length limit. */
  public static final int MAX_TOPIC = 127;

  /** The default vhost, which always exists. */
  public static final String DEFAULT_VHOST = "/";

  /** The longest vhost name, in characters: it prefixes topic and group names. */
  public static final int MAX_VHOST = 64;

  public static final String QUEUE_GROUP = "amqp-queue|";
  public static final String DURABLE_GROUP = "amqp-sub|";
  public static final String SHARED_VOLATILE_GROUP = "amqp-vsub|";
  public static final String VOLATILE_GROUP = "amqp-nd|";
  public static final String BROWSE_GROUP = "amqp-browse|";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final int LONG_KEEP = 100;

  private DestinationNames() {}

  /** The escaped form of {@code name}, without the length rule. */
  public static String escape(String name) {
    if (isPlain(name)) {
      return name;
    }
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(utf8.length * 3);
    for (byte b : utf8) {
      int c = b & 0xff;
      if (plain(c)) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  /** Reverses {@link #escape}; refuses text that no escape produced. */
  public static String unescape(String escaped) {
    if (escaped.indexOf('%') < 0) {
      return escaped;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(escaped.length());
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if (c == '%') {
        if (i + 2 >= escaped.length()) {
          throw new IllegalArgumentException("not an escaped name: " + escaped);
        }
        out.write(Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Why {@code name} cannot be a vhost, or null when it can: 1 to {@link #MAX_VHOST} characters,
   * none of them a control character (CR, LF, ...). Any other character is fine: topic and group
   * names carry the vhost escaped (docs/rabbitmq.md, "Vhosts").
   */
  public static String vhostProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "a vhost name must not be empty";
    }
    if (name.length() > MAX_VHOST) {
      return "a vhost name has at most " + MAX_VHOST + " characters, not " + name.length();
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "a vhost name must not contain control characters (CR, LF, ...): found U+"
            + String.format("%04X", (int) c)
            + " at "
            + i;
      }
    }
    return null;
  }

  /**
   * The vhost and destination name a queue's topic stores: {@code [vhost, name]}, or null when the
   * topic's name is not reversible (shortened) or was not made by {@link #topic}.
   */
  public static String[] vhostAndName(String topic) {
    if (topic.contains("%%")) {
      return null;
    }
    int bar = topic.indexOf('|');
    if (bar != topic.lastIndexOf('|')) {
      return null;
    }
    try {
      return bar < 0
          ? new String[] {DEFAULT_VHOST, unescape(topic)}
          : new String[] {unescape(topic.substring(0, bar)), unescape(topic.substring(bar + 1))};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The topic that stores destination {@code name} in {@code vhost}. */
  public static String topic(String vhost, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a destination needs a name");
    }
    return shorten(vhostPrefix(vhost) + escape(name), MAX_TOPIC);
  }

  /** The destination name a topic of {@code vhost} stores, or null when not reversible. */
  public static String destination(String vhost, String topic) {
    String prefix = vhostPrefix(vhost);
    String rest = topic.startsWith(prefix) ? topic.substring(prefix.length()) : topic;
    return rest.contains("%%") ? null : unescape(rest);
  }

  /** The consumer group every consumer of a queue shares. */
  public static String queueGroup(String topic) {
    return QUEUE_GROUP + topic;
  }

  /**
   * The group of a durable subscription: container-id and subscription name, or the name alone for
   * a {@code global} one.
   */
  public static String durableGroup(String vhost, String containerId, String subscription) {
    String scope = containerId == null ? "global" : "c" + escape(containerId);
    return shorten(vhostPrefix(vhost) + DURABLE_GROUP + scope + "|" + escape(subscription), 255);
  }

  /** The group of a shared non-durable subscription (lives while it has consumers). */
  public static String sharedVolatileGroup(String vhost, String containerId, String subscription) {
    String scope = containerId == null ? "global" : "c" + escape(containerId);
    return shorten(
        vhostPrefix(vhost) + SHARED_VOLATILE_GROUP + scope + "|" + escape(subscription), 255);
  }

  /** The group of one non-durable topic consumer. */
  public static String volatileGroup(String connectionId, long serial) {
    return shorten(VOLATILE_GROUP + escape(connectionId) + "|" + serial, 255);
  }

  /** The group a queue browser peeks as: the queue's own, so it sees what the queue holds. */
  public static String browseGroup(String topic) {
    return queueGroup(topic);
  }

  private static String vhostPrefix(String vhost) {
    return vhost == null || vhost.equals("/") ? "" : escape(vhost) + "|";
  }

  private static String shorten(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(s.substring(0, LONG_KEEP)).append("%%");
      for (int i = 0; i < 12; i++) {
        sb.append(HEX[(h[i] >> 4) & 0xf]).append(HEX[h[i] & 0xf]);
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  private static boolean isPlain(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!plain(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean plain(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }
}
