package io.wharfmq.broker;

import java.util.Collection;
import java.util.Locale;

/**
 * The "did you mean" for a misspelt configuration key: a key equal but for letter case, else the
 * nearest key by edit distance (insertions, deletions, substitutions and swaps of neighbours) if it
 * is near enough to be a typing slip. Stateless.
 */
final class KeySuggestion {
  private KeySuggestion() {}

  /**
   * The best candidate for {@code key}, or null when none is close; earlier candidates win ties.
   */
  static String closest(String key, Collection<String> candidates) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (String c : candidates) {
      if (c.toLowerCase(Locale.ROOT).equals(lower)) {
        return c;
      }
    }
    int limit = key.length() <= 4 ? 1 : key.length() <= 12 ? 2 : 3;
    String best = null;
    int bestDistance = limit + 1;
    for (String c : candidates) {
      if (Math.abs(c.length() - key.length()) >= bestDistance) {
        continue;
      }
      int d = distance(lower, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Optimal string alignment distance: Levenshtein plus transposition of adjacent characters. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
