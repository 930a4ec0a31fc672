package io.wharfmq.service.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Codec of the reserved property {@link ReservedProperties#TYPES}: the names and types of a
 * message's application properties, in order. Each property's value is stored as its own record
 * property (text, {@link PropertyType}) under {@link ReservedProperties#storedName}; a null value
 * is stored nowhere and only listed here.
 *
 * <p>Text form: per property, {@code <type code><name length>:<name>}, concatenated, e.g. {@code
 * I5:countS4:nameN4:note} for an int {@code count}, a string {@code name} and a null {@code note}.
 * The name length counts UTF-16 chars. The text never holds the RocketMQ separators as long as the
 * names do not. Doors that come from AMQP or JMS list every application property, strings included;
 * a user property that is not listed (a RocketMQ producer's, or one a RocketMQ client added on
 * resend) is a string. Stateless; thread-safe.
 */
public final class TypedProperties {
  private TypedProperties() {}

  /** One listed application property. */
  public record Entry(String name, PropertyType type) {}

  /** Appends one entry to a text being built. */
  public static StringBuilder append(StringBuilder text, String name, PropertyType type) {
    return text.append(type.code()).append(name.length()).append(':').append(name);
  }

  public static String encode(List<Entry> entries) {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      append(sb, e.name(), e.type());
    }
    return sb.toString();
  }

  /** The entries of a text; IllegalArgumentException naming the position when it is malformed. */
  public static List<Entry> decode(String text) {
    if (text == null || text.isEmpty()) {
      return Collections.emptyList();
    }
    List<Entry> entries = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      PropertyType type = PropertyType.ofCode(text.charAt(i));
      int colon = text.indexOf(':', i + 1);
      if (colon < 0) {
        throw malformed(text, i);
      }
      int length;
      try {
        length = Integer.parseInt(text, i + 1, colon, 10);
      } catch (NumberFormatException e) {
        throw malformed(text, i);
      }
      int end = colon + 1 + length;
      if (length < 0 || end > text.length()) {
        throw malformed(text, i);
      }
      entries.add(new Entry(text.substring(colon + 1, end), type));
      i = end;
    }
    return entries;
  }

  /** The listed types by name; empty when the message lists none. */
  public static Map<String, PropertyType> types(Map<String, String> stored) {
    String text = stored.get(ReservedProperties.TYPES);
    if (text == null) {
      return Collections.emptyMap();
    }
    Map<String, PropertyType> types = new HashMap<>();
    for (Entry e : decode(text)) {
      types.put(e.name(), e.type());
    }
    return types;
  }

  /**
   * A message's application properties with their types, in order: the listed ones, then any
   * unlisted user property as a string. Values as {@link PropertyType#toJava}. For a message from a
   * RocketMQ client: its user properties, as strings.
   */
  public static Map<String, Object> read(Map<String, String> stored) {
    Map<String, Object> props = new LinkedHashMap<>();
    for (Entry e : decode(stored.get(ReservedProperties.TYPES))) {
      String text = stored.get(ReservedProperties.storedName(e.name()));
      props.put(e.name(), e.type().toJava(text));
    }
    for (Map.Entry<String, String> p : stored.entrySet()) {
      if (ReservedProperties.isUserProperty(p.getKey()) && !props.containsKey(p.getKey())) {
        props.put(p.getKey(), p.getValue());
      }
    }
    return props;
  }

  /**
   * Adds application properties to record properties being built: each value under its stored name
   * and every name in {@link ReservedProperties#TYPES}. Values as {@link PropertyType#ofJava}.
   */
  public static void write(Map<String, ?> properties, Map<String, String> stored) {
    StringBuilder types = new StringBuilder();
    for (Map.Entry<String, ?> p : properties.entrySet()) {
      PropertyType type = PropertyType.ofJava(p.getValue());
      String text = type.toText(p.getValue());
      if (text != null) {
        stored.put(ReservedProperties.storedName(p.getKey()), text);
      }
      append(types, p.getKey(), type);
    }
    if (types.length() > 0) {
      stored.put(ReservedProperties.TYPES, types.toString());
    }
  }

  private static IllegalArgumentException malformed(String text, int at) {
    return new IllegalArgumentException(
        "malformed " + ReservedProperties.TYPES + " at char " + at + ": '" + text + "'");
  }
}
