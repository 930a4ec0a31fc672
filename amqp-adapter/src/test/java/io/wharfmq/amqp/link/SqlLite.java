package io.wharfmq.amqp.link;

import java.util.Map;

/**
 * Just enough SQL92 for the in-memory service: {@code NAME = 'v'}, {@code NAME <> 'v'}, {@code NAME
 * IS NULL}, AND, OR, parentheses. Stateless.
 */
final class SqlLite {
  private final String s;
  private final Map<String, String> props;
  private int i;

  private SqlLite(String s, Map<String, String> props) {
    this.s = s;
    this.props = props;
  }

  static boolean valid(String expr) {
    try {
      SqlLite p = new SqlLite(expr, Map.of());
      p.or();
      p.ws();
      return p.i == p.s.length();
    } catch (RuntimeException e) {
      return false;
    }
  }

  static boolean matches(String expr, Map<String, String> props) {
    return new SqlLite(expr, props).or();
  }

  private boolean or() {
    boolean v = and();
    while (keyword("OR")) {
      v |= and();
    }
    return v;
  }

  private boolean and() {
    boolean v = term();
    while (keyword("AND")) {
      v &= term();
    }
    return v;
  }

  private boolean term() {
    ws();
    if (s.charAt(i) == '(') {
      i++;
      boolean v = or();
      ws();
      if (s.charAt(i++) != ')') {
        throw new IllegalArgumentException("expected )");
      }
      return v;
    }
    int start = i;
    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
      i++;
    }
    if (start == i) {
      throw new IllegalArgumentException("expected a name at " + i);
    }
    String value = props.get(s.substring(start, i));
    if (keyword("IS")) {
      if (!keyword("NULL")) {
        throw new IllegalArgumentException("expected NULL");
      }
      return value == null;
    }
    ws();
    boolean eq;
    if (s.startsWith("<>", i)) {
      eq = false;
      i += 2;
    } else if (s.charAt(i) == '=') {
      eq = true;
      i++;
    } else {
      throw new IllegalArgumentException("expected = or <>");
    }
    ws();
    if (s.charAt(i++) != '\'') {
      throw new IllegalArgumentException("expected a string");
    }
    StringBuilder lit = new StringBuilder();
    while (true) {
      char c = s.charAt(i++);
      if (c == '\'') {
        if (i < s.length() && s.charAt(i) == '\'') {
          lit.append('\'');
          i++;
          continue;
        }
        break;
      }
      lit.append(c);
    }
    if (value == null) {
      return false;
    }
    return eq == value.equals(lit.toString());
  }

  private boolean keyword(String k) {
    ws();
    if (s.regionMatches(true, i, k, 0, k.length())
        && (i + k.length() == s.length() || !Character.isLetterOrDigit(s.charAt(i + k.length())))) {
      i += k.length();
      return true;
    }
    return false;
  }

  private void ws() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }
}
