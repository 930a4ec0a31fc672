package io.wharfmq.remoting.protocol;

import io.wharfmq.remoting.protocol.body.MessageQueue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON dialect of RocketMQ bodies whose maps are keyed by MessageQueue (ConsumeStats,
 * TopicStatsTable, ResetOffsetBody): fastjson writes such a key as a JSON object, {@code
 * {"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{…}}}}, which is not standard JSON and
 * which no standard JSON library reads or writes. This class writes such bodies (values through
 * {@link RemotingJson}) and parses them into plain maps, lists and scalars, with object keys as
 * maps. Stateless; thread-safe.
 */
public final class FastjsonText {
  private FastjsonText() {}

  /**
   * A body {@code {"<tableField>":{<queue>:<value>,…},<other fields>}}; values and other fields are
   * written as standard JSON.
   */
  public static byte[] withQueueTable(
      String tableField, Map<MessageQueue, ?> table, Map<String, ?> otherFields) {
    StringBuilder sb = new StringBuilder("{\"").append(tableField).append("\":{");
    boolean first = true;
    for (Map.Entry<MessageQueue, ?> e : table.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      MessageQueue q = e.getKey();
      sb.append("{\"brokerName\":")
          .append(json(q.brokerName()))
          .append(",\"queueId\":")
          .append(q.queueId())
          .append(",\"topic\":")
          .append(json(q.topic()))
          .append("}:")
          .append(json(e.getValue()));
    }
    sb.append('}');
    for (Map.Entry<String, ?> e : otherFields.entrySet()) {
      sb.append(",").append(json(e.getKey())).append(':').append(json(e.getValue()));
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String json(Object value) {
    return new String(RemotingJson.encode(value), StandardCharsets.UTF_8);
  }

  /**
   * Parses fastjson text: objects become {@code Map<Object, Object>} (keys are strings, or maps for
   * object keys), arrays lists, numbers BigDecimal, and true/false/null themselves.
   *
   * @throws IllegalArgumentException when the text is not of this dialect
   */
  public static Object parse(byte[] body) {
    Parser p = new Parser(new String(body, StandardCharsets.UTF_8));
    Object v = p.value();
    p.skipSpace();
    if (p.pos != p.text.length()) {
      throw p.error("trailing characters");
    }
    return v;
  }

  /** The map-keyed entries of {@code table} as queues; other keys are skipped. */
  public static <V> Map<MessageQueue, V> queueTable(
      Object table, java.util.function.Function<Map<?, ?>, V> value) {
    Map<MessageQueue, V> out = new LinkedHashMap<>();
    if (table instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getKey() instanceof Map<?, ?> k && e.getValue() instanceof Map<?, ?> v) {
          out.put(
              new MessageQueue(
                  String.valueOf(k.get("topic")),
                  String.valueOf(k.get("brokerName")),
                  number(k.get("queueId")).intValue()),
              value.apply(v));
        }
      }
    }
    return out;
  }

  /** A parsed number, or 0 when absent. */
  public static BigDecimal number(Object v) {
    return v instanceof BigDecimal b ? b : BigDecimal.ZERO;
  }

  /** Deeper nesting is refused instead of exhausting the stack. */
  static final int MAX_DEPTH = 256;

  private static final class Parser {
    final String text;
    int pos;
    int depth;

    Parser(String text) {
      this.text = text;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("bad fastjson text at " + pos + ": " + what);
    }

    void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    char peek() {
      skipSpace();
      if (pos >= text.length()) {
        throw error("unexpected end");
      }
      return text.charAt(pos);
    }

    void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    Object value() {
      if (++depth > MAX_DEPTH) {
        throw error("nested deeper than " + MAX_DEPTH);
      }
      try {
        return valueAt(peek());
      } finally {
        depth--;
      }
    }

    Object valueAt(char c) {
      if (c == '{') {
        return object();
      }
      if (c == '[') {
        List<Object> list = new ArrayList<>();
        pos++;
        if (peek() == ']') {
          pos++;
          return list;
        }
        do {
          list.add(value());
        } while (comma());
        expect(']');
        return list;
      }
      if (c == '"') {
        return string();
      }
      return literal();
    }

    Map<Object, Object> object() {
      Map<Object, Object> map = new LinkedHashMap<>();
      expect('{');
      if (peek() == '}') {
        pos++;
        return map;
      }
      do {
        Object key = peek() == '{' ? value() : peek() == '"' ? string() : literal();
        expect(':');
        map.put(key, value());
      } while (comma());
      expect('}');
      return map;
    }

    boolean comma() {
      if (peek() == ',') {
        pos++;
        return true;
      }
      return false;
    }

    String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          if (pos >= text.length()) {
            break;
          }
          char e = text.charAt(pos++);
          switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'u' -> {
              if (pos + 4 > text.length()) {
                throw error("short \\u escape");
              }
              sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
              pos += 4;
            }
            default -> sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
      throw error("unterminated string");
    }

    Object literal() {
      int start = pos;
      while (pos < text.length() && ",:}] \t\r\n".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      String word = text.substring(start, pos);
      switch (word) {
        case "true":
          return Boolean.TRUE;
        case "false":
          return Boolean.FALSE;
        case "null":
          return null;
        default:
          try {
            return new BigDecimal(word);
          } catch (NumberFormatException e) {
            pos = start;
            throw error("unexpected '" + word + "'");
          }
      }
    }
  }
}
