package io.wharfmq.service;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The RocketMQ properties text that every door stores ({@code name \u0001 value \u0002} per pair;
 * docs/formats.md, "Properties encoding"), for doors that build or read it without the store.
 * Stateless; thread-safe.
 */
public final class PropertiesText {
  public static final char NAME_VALUE_SEPARATOR = '\u0001';
  public static final char PROPERTY_SEPARATOR = '\u0002';

  private PropertiesText() {}

  /** Encodes pairs in iteration order; refuses names or values holding a separator. */
  public static String encode(Map<String, String> properties) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      check(e.getKey());
      check(e.getValue());
      sb.append(e.getKey())
          .append(NAME_VALUE_SEPARATOR)
          .append(e.getValue())
          .append(PROPERTY_SEPARATOR);
    }
    return sb.toString();
  }

  /** Decodes as the RocketMQ client does; a later duplicate overwrites an earlier one. */
  public static Map<String, String> decode(String text) {
    Map<String, String> map = new LinkedHashMap<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf(PROPERTY_SEPARATOR, start);
      if (end < 0) {
        end = text.length();
      }
      int sep = text.indexOf(NAME_VALUE_SEPARATOR, start);
      if (end - start >= 3 && sep > start && sep < end) {
        map.put(text.substring(start, sep), text.substring(sep + 1, end));
      }
      start = end + 1;
    }
    return map;
  }

  private static void check(String s) {
    if (s.indexOf(NAME_VALUE_SEPARATOR) >= 0 || s.indexOf(PROPERTY_SEPARATOR) >= 0) {
      throw new IllegalArgumentException("property name or value holds a separator: " + s);
    }
  }
}
