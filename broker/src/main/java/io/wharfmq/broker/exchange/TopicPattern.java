package io.wharfmq.broker.exchange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A topic exchange's binding key, compiled: dot-separated words where {@code *} matches exactly one
 * word and {@code #} zero or more (RabbitMQ's rules; the empty key has no words). Immutable;
 * thread-safe.
 */
final class TopicPattern {
  private static final String ONE = "*";
  private static final String ANY = "#";

  private final String[] words;
  private final boolean literal;

  TopicPattern(String bindingKey) {
    this.words = words(bindingKey);
    boolean lit = true;
    for (String w : words) {
      if (w.equals(ONE) || w.equals(ANY)) {
        lit = false;
      }
    }
    this.literal = lit;
  }

  /** Whether the key has no wildcard (it matches only itself). */
  boolean isLiteral() {
    return literal;
  }

  /** The words of a routing or binding key. */
  static String[] words(String key) {
    if (key == null || key.isEmpty()) {
      return new String[0];
    }
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= key.length(); i++) {
      if (i == key.length() || key.charAt(i) == '.') {
        out.add(key.substring(from, i));
        from = i + 1;
      }
    }
    return out.toArray(new String[0]);
  }

  boolean matches(String[] key) {
    return matches(key, new boolean[key.length + 1], new boolean[key.length + 1]);
  }

  /**
   * Whether the key's words match, in time linear in pattern times key words, using the caller's
   * two scratch rows of {@code key.length + 1} (one pair serves every pattern of a message: no
   * allocation per pattern or word).
   */
  boolean matches(String[] key, boolean[] rowA, boolean[] rowB) {
    // can[j]: the pattern's first i words can match the key's first j words (i grows by rows).
    boolean[] can = rowA;
    boolean[] next = rowB;
    Arrays.fill(can, 0, key.length + 1, false);
    can[0] = true;
    for (String p : words) {
      if (p.equals(ANY)) {
        boolean reach = false;
        for (int j = 0; j <= key.length; j++) {
          reach |= can[j];
          next[j] = reach;
        }
      } else {
        next[0] = false;
        for (int j = 1; j <= key.length; j++) {
          next[j] = can[j - 1] && (p.equals(ONE) || p.equals(key[j - 1]));
        }
      }
      boolean[] t = can;
      can = next;
      next = t;
    }
    return can[key.length];
  }
}
