package io.wharfmq.broker.topic;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Topic attributes as RocketMQ 5.x takes them from UPDATE_AND_CREATE_TOPIC's {@code attributes}
 * header: {@code +key=value} adds or changes, {@code -key} removes, comma-separated. The keys and
 * values are RocketMQ's ({@code message.type}, {@code queue.type}, {@code cleanup.policy}, {@code
 * reserve.time}); a value asking for something Wharf does not do (batch consume queues, compaction)
 * is refused. Stateless.
 */
public final class TopicAttributes {
  private TopicAttributes() {}

  /** A change that cannot be applied; the message is the remark for the client. */
  public static final class InvalidAttributesException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidAttributesException(String message) {
      super(message);
    }
  }

  private static final Set<String> MESSAGE_TYPES =
      Set.of("UNSPECIFIED", "NORMAL", "FIFO", "DELAY", "TRANSACTION", "MIXED");

  /**
   * The attributes after applying {@code modification} to {@code current}.
   *
   * @param creating the topic does not exist yet: only additions are allowed, and keys that cannot
   *     change afterwards ({@code queue.type}, {@code cleanup.policy}) may be set
   */
  public static Map<String, String> apply(
      boolean creating, Map<String, String> current, String modification)
      throws InvalidAttributesException {
    Map<String, String> result = new TreeMap<>(current == null ? Map.of() : current);
    if (modification == null || modification.isEmpty()) {
      return result;
    }
    Set<String> seen = new HashSet<>();
    for (String item : modification.split(",")) {
      boolean add = item.startsWith("+");
      if (!add && !item.startsWith("-")) {
        throw new InvalidAttributesException("wrong format key: " + item);
      }
      int eq = item.indexOf('=');
      if (add && eq < 0) {
        throw new InvalidAttributesException("add/alter attribute format is wrong: " + item);
      }
      String key = add ? item.substring(1, eq) : item.substring(1);
      if (key.isEmpty() || key.contains("+") || key.contains("-") || key.contains("=")) {
        throw new InvalidAttributesException("kv string format wrong: " + item);
      }
      if (!seen.add(key)) {
        throw new InvalidAttributesException("alter duplication key. key: " + key);
      }
      if (!add) {
        if (creating) {
          throw new InvalidAttributesException(
              "only add attribute is supported while creating topic. key: " + key);
        }
        if (!result.containsKey(key)) {
          throw new InvalidAttributesException("attempt to delete a nonexistent key: " + key);
        }
        checkChangeable(key);
        result.remove(key);
        continue;
      }
      String value = item.substring(eq + 1);
      if (!creating) {
        checkChangeable(key);
      }
      checkValue(key, value);
      result.put(key, value);
    }
    return result;
  }

  private static void checkChangeable(String key) throws InvalidAttributesException {
    if (key.equals("queue.type") || key.equals("cleanup.policy")) {
      throw new InvalidAttributesException(
          "attempt to update an unchangeable attribute. key: " + key);
    }
  }

  private static void checkValue(String key, String value) throws InvalidAttributesException {
    switch (key) {
      case "message.type" -> {
        if (!MESSAGE_TYPES.contains(value)) {
          throw new InvalidAttributesException(
              "value is not in set: " + MESSAGE_TYPES + ", key: " + key + ", value: " + value);
        }
        if (value.equals("MIXED")) {
          // RocketMQ's default (enableMixedMessageType=false) refuses it too.
          throw new InvalidAttributesException("MIXED message type is not supported.");
        }
      }
      case "queue.type" -> {
        if (!value.equals("SimpleCQ")) {
          throw new InvalidAttributesException(
              "queue.type " + value + " is not supported by Wharf: only SimpleCQ queues exist");
        }
      }
      case "cleanup.policy" -> {
        if (!value.equals("DELETE")) {
          throw new InvalidAttributesException(
              "cleanup.policy "
                  + value
                  + " is not supported by Wharf: topics are cleaned by retention (DELETE) only");
        }
      }
      case "reserve.time" -> {
        try {
          if (Long.parseLong(value) < -1) {
            throw new InvalidAttributesException("reserve.time must be >= -1, is " + value);
          }
        } catch (NumberFormatException e) {
          throw new InvalidAttributesException("reserve.time is not a number: " + value);
        }
      }
      default -> throw new InvalidAttributesException("unsupported key: " + key);
    }
  }
}
