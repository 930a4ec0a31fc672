package io.wharfmq.store.format;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The RocketMQ properties string: {@code name \u0001 value \u0002} for every pair, see
 * docs/formats.md, section "Properties encoding". Stateless; thread-safe.
 */
public final class MessageProperties {
  private MessageProperties() {}

  public static final char NAME_VALUE_SEPARATOR = '\u0001';
  public static final char PROPERTY_SEPARATOR = '\u0002';

  public static final String TAGS = "TAGS";
  public static final String KEYS = "KEYS";
  public static final String UNIQ_KEY = "UNIQ_KEY";

  /** The broker's region, which RocketMQ's broker stores with every message (trace needs it). */
  public static final String MSG_REGION = "MSG_REGION";

  /**
   * Reserved: the consume queues a record is dispatched to instead of its own, as {@link
   * DispatchTargets} encodes them. The commit-log appender fills in each target's queue offset; the
   * dispatcher writes one consume-queue entry per target and none for the record's own queue. See
   * docs/storage.md, "Multi-dispatch". Senders never set it; the broker does.
   */
  public static final String DISPATCH = "WHARF_DISPATCH";

  /**
   * {@link #DISPATCH} of a message parked by the broker (delayed, timer, transactional half): moved
   * aside so the parked copy reaches no target, and moved back when the message becomes visible.
   */
  public static final String REAL_DISPATCH = "WHARF_REAL_DISPATCH";

  /**
   * On a record as read through a target queue of a dispatch: the topic the record was stored in
   * (the exchange). The store adds it when it presents the record as one of the queue's own.
   */
  public static final String DISPATCH_SOURCE = "WHARF_DISPATCH_SOURCE";

  /** "false" tells a tracing consumer to write no trace record for the message. */
  public static final String TRACE_ON = "TRACE_ON";

  /** Encodes pairs in iteration order. Names and values must not contain the separators. */
  public static String encode(Map<String, String> properties) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      checkNoSeparator(e.getKey());
      checkNoSeparator(e.getValue());
      sb.append(e.getKey())
          .append(NAME_VALUE_SEPARATOR)
          .append(e.getValue())
          .append(PROPERTY_SEPARATOR);
    }
    return sb.toString();
  }

  /**
   * Decodes like the RocketMQ client: split on \u0002, skip pieces shorter than 3 characters, split
   * each on the first \u0001; a later duplicate overwrites an earlier one.
   */
  public static Map<String, String> decode(String properties) {
    Map<String, String> map = new LinkedHashMap<>();
    int start = 0;
    int length = properties.length();
    while (start < length) {
      int end = properties.indexOf(PROPERTY_SEPARATOR, start);
      if (end < 0) {
        end = length;
      }
      if (end - start >= 3) {
        int sep = properties.indexOf(NAME_VALUE_SEPARATOR, start);
        if (sep > start && sep < end) {
          map.put(properties.substring(start, sep), properties.substring(sep + 1, end));
        }
      }
      start = end + 1;
    }
    return map;
  }

  /**
   * Finds one property without building a map (the last occurrence wins, as when decoding). Returns
   * null when absent.
   */
  public static String find(String properties, String name) {
    String found = null;
    int start = 0;
    int length = properties.length();
    while (start < length) {
      int end = properties.indexOf(PROPERTY_SEPARATOR, start);
      if (end < 0) {
        end = length;
      }
      int nameEnd = start + name.length();
      if (nameEnd < end
          && properties.charAt(nameEnd) == NAME_VALUE_SEPARATOR
          && properties.startsWith(name, start)) {
        found = properties.substring(nameEnd + 1, end);
      }
      start = end + 1;
    }
    return found;
  }

  /**
   * Index in {@code properties} where the value of the last property called {@code name} starts, or
   * -1 when absent (the occurrence {@link #find} returns).
   */
  public static int valueIndex(String properties, String name) {
    int found = -1;
    int start = 0;
    int length = properties.length();
    while (start < length) {
      int end = properties.indexOf(PROPERTY_SEPARATOR, start);
      if (end < 0) {
        end = length;
      }
      int nameEnd = start + name.length();
      if (nameEnd < end
          && properties.charAt(nameEnd) == NAME_VALUE_SEPARATOR
          && properties.startsWith(name, start)) {
        found = nameEnd + 1;
      }
      start = end + 1;
    }
    return found;
  }

  private static void checkNoSeparator(String s) {
    if (s.indexOf(NAME_VALUE_SEPARATOR) >= 0 || s.indexOf(PROPERTY_SEPARATOR) >= 0) {
      throw new IllegalArgumentException(
          "property names and values must not contain \\u0001 or \\u0002: " + s);
    }
  }
}
