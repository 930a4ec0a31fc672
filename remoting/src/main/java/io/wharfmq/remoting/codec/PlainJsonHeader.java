package io.wharfmq.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.SendHeaderV2;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The JSON remoting header without Jackson, for the shape RocketMQ clients and Wharf send on every
 * request and response: one flat object whose strings are ASCII (JSON escapes allowed: message
 * properties travel with \u0001 and \u0002 separators), whose numbers are integers, and whose
 * extFields hold strings, integers, booleans or nulls. That is nearly every frame; Jackson's parser
 * and generator cost more per header (buffer recycling, symbol tables, text buffers) than the whole
 * send path in the store.
 *
 * <p>Anything outside that shape makes this class give up ({@link #read} returns null, {@link
 * #write} false), and {@link RemotingCommandCodec} uses Jackson instead, which stays the definition
 * of what is accepted. For every input this class accepts, the result equals Jackson's (checked by
 * CodecFuzzTest): the same fields, duplicates last-wins, trailing bytes after the object ignored;
 * for every command it writes, the bytes equal Jackson's. Stateless; thread-safe.
 */
final class PlainJsonHeader {
  /** One-letter keys (SEND_MESSAGE_V2's "a".."n") as shared strings, indexed by their byte. */
  private static final String[] ONE_CHAR = new String[128];

  static {
    for (int c = 0x20; c <= 0x7F; c++) {
      ONE_CHAR[c] = String.valueOf((char) c).intern();
    }
  }

  /**
   * Member names that come on nearly every header, as shared strings: matched on their bytes, they
   * cost neither a String nor a hash computation per header (a pull request has a dozen).
   */
  private static final KnownNames NAMES =
      new KnownNames(
          Stream.concat(
                  SendHeaderV2.V1_NAMES.stream(), // SEND_MESSAGE's request
                  Stream.of(
                      // the command
                      "code",
                      "extFields",
                      "flag",
                      "language",
                      "opaque",
                      "remark",
                      "serializeTypeCurrentRPC",
                      "version",
                      // the SEND_MESSAGE response
                      "msgId",
                      "queueOffset",
                      "transactionId",
                      "batchUniqId",
                      "MSG_REGION",
                      "TRACE_ON",
                      // PULL_MESSAGE and its response
                      "consumerGroup",
                      "maxMsgNums",
                      "commitOffset",
                      "suspendTimeoutMillis",
                      "subscription",
                      "subVersion",
                      "expressionType",
                      "maxMsgBytes",
                      "requestSource",
                      "proxyFrowardClientId",
                      "brokerName",
                      "lo",
                      "suggestWhichBrokerId",
                      "nextBeginOffset",
                      "minOffset",
                      "maxOffset",
                      "topicSysFlag",
                      "groupSysFlag",
                      "offsetDelta",
                      "forbiddenType",
                      // offsets, heartbeats, POP
                      "clientID",
                      "clientId",
                      "invisibleTime",
                      "pollTime",
                      "bornTime",
                      "initMode",
                      "order",
                      "extraInfo",
                      "offset",
                      "timestamp"))
              .toList());

  /** Most extFields a request carries (SEND_MESSAGE_V2: 14); sized so the map never grows. */
  private static final int EXT_FIELDS_CAPACITY = 32;

  private PlainJsonHeader() {}

  /** The command in {@code header}'s readable bytes, or null to let Jackson decide. */
  static RemotingCommand read(ByteBuf header) {
    int length = header.readableBytes();
    byte[] b;
    int start;
    if (header.hasArray()) {
      b = header.array();
      start = header.arrayOffset() + header.readerIndex();
    } else {
      b = new byte[length];
      header.getBytes(header.readerIndex(), b);
      start = 0;
    }
    return new Reader(b, start, start + length).command();
  }

  /**
   * Writes the header of {@code cmd} at {@code out}'s writer index as Jackson would; false (with
   * the writer index back where it was) if a string is not ASCII.
   */
  static boolean write(RemotingCommand cmd, ByteBuf out) {
    int start = out.writerIndex();
    if (!writeHeader(cmd, out)) {
      out.writerIndex(start);
      return false;
    }
    return true;
  }

  private static boolean writeHeader(RemotingCommand cmd, ByteBuf out) {
    ByteBufUtil.writeAscii(out, "{\"code\":");
    writeInt(out, cmd.code());
    if (cmd.hasExtFields()) {
      ByteBufUtil.writeAscii(out, ",\"extFields\":{");
      boolean first = true;
      for (Map.Entry<String, String> e : cmd.extFields().entrySet()) {
        if (!first) {
          out.writeByte(',');
        }
        first = false;
        if (!writeString(out, e.getKey())) {
          return false;
        }
        out.writeByte(':');
        if (!writeString(out, e.getValue())) {
          return false;
        }
      }
      out.writeByte('}');
    }
    ByteBufUtil.writeAscii(out, ",\"flag\":");
    writeInt(out, cmd.flag());
    ByteBufUtil.writeAscii(out, ",\"language\":");
    if (!writeString(out, cmd.language() == null ? "JAVA" : cmd.language())) {
      return false;
    }
    ByteBufUtil.writeAscii(out, ",\"opaque\":");
    writeInt(out, cmd.opaque());
    if (cmd.remark() != null) {
      ByteBufUtil.writeAscii(out, ",\"remark\":");
      if (!writeString(out, cmd.remark())) {
        return false;
      }
    }
    ByteBufUtil.writeAscii(out, ",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":");
    writeInt(out, cmd.version());
    out.writeByte('}');
    return true;
  }

  /** Printable ASCII (and DEL, which JSON leaves raw) without quote or backslash. */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7F || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  /** A quoted ASCII string with Jackson's escapes; false if it has a non-ASCII character. */
  private static boolean writeString(ByteBuf out, String s) {
    out.writeByte('"');
    if (plain(s)) {
      out.writeCharSequence(s, StandardCharsets.US_ASCII);
    } else {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c > 0x7F) {
          return false;
        }
        if (c >= 0x20) {
          if (c == '"' || c == '\\') {
            out.writeByte('\\');
          }
          out.writeByte(c);
          continue;
        }
        out.writeByte('\\');
        switch (c) {
          case '\b' -> out.writeByte('b');
          case '\t' -> out.writeByte('t');
          case '\n' -> out.writeByte('n');
          case '\f' -> out.writeByte('f');
          case '\r' -> out.writeByte('r');
          default -> {
            out.writeByte('u').writeByte('0').writeByte('0');
            out.writeByte(HEX[c >> 4]).writeByte(HEX[c & 0xF]);
          }
        }
      }
    }
    out.writeByte('"');
    return true;
  }

  private static void writeInt(ByteBuf out, int v) {
    if (v >= 0 && v < 10) {
      out.writeByte('0' + v);
    } else {
      ByteBufUtil.writeAscii(out, Integer.toString(v));
    }
  }

  /**
   * A fixed set of ASCII names found by their bytes: an open-addressed table, filled once, read
   * without locks. Immutable after construction; thread-safe.
   */
  static final class KnownNames {
    static final int MAX_LENGTH = 32;
    private static final int SLOTS = 256; // a power of two, well over twice the names

    private final String[] names = new String[SLOTS];
    private final byte[][] bytes = new byte[SLOTS][];

    KnownNames(List<String> known) {
      for (String name : known) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length > MAX_LENGTH) {
          throw new IllegalArgumentException("name longer than " + MAX_LENGTH + ": " + name);
        }
        int slot = hash(n, 0, n.length);
        while (names[slot] != null && !names[slot].equals(name)) {
          slot = (slot + 1) & (SLOTS - 1);
        }
        names[slot] = name.intern();
        bytes[slot] = n;
      }
    }

    /** The known name spelled by {@code b[start, start + length)}, or null. */
    String find(byte[] b, int start, int length) {
      int slot = hash(b, start, length);
      while (true) {
        byte[] n = bytes[slot];
        if (n == null) {
          return null;
        }
        if (n.length == length && Arrays.equals(n, 0, length, b, start, start + length)) {
          return names[slot];
        }
        slot = (slot + 1) & (SLOTS - 1);
      }
    }

    private static int hash(byte[] b, int start, int length) {
      int h = length;
      for (int i = start; i < start + length; i++) {
        h = 31 * h + b[i];
      }
      return (h ^ (h >>> 8) ^ (h >>> 16)) & (SLOTS - 1);
    }
  }

  /** A cursor over one header. Used by one thread for one call. */
  private static final class Reader {
    private final byte[] b;
    private final int end;
    private int p;

    Reader(byte[] b, int start, int end) {
      this.b = b;
      this.p = start;
      this.end = end;
    }

    RemotingCommand command() {
      RemotingCommand cmd = new RemotingCommand();
      skipWhitespace();
      return object(name -> field(cmd, name)) ? cmd : null;
    }

    /** What reads one member's value, given its name; false gives up. */
    private interface Member {
      boolean read(String name);
    }

    /**
     * An object: "{" (name ":" value ("," name ":" value)*)? "}", values read by {@code member}.
     */
    private boolean object(Member member) {
      if (!take('{')) {
        return false;
      }
      skipWhitespace();
      if (take('}')) {
        return true;
      }
      while (true) {
        String name = name();
        if (name == null) {
          return false;
        }
        skipWhitespace();
        if (!take(':')) {
          return false;
        }
        skipWhitespace();
        if (!member.read(name)) {
          return false;
        }
        skipWhitespace();
        if (take('}')) {
          return true;
        }
        if (!take(',')) {
          return false;
        }
        skipWhitespace();
      }
    }

    private boolean field(RemotingCommand cmd, String name) {
      switch (name) {
        case "code", "flag", "opaque", "version" -> {
          long v = integer();
          if (v == NOT_AN_INT) {
            return false;
          }
          switch (name) {
            case "code" -> cmd.code((int) v);
            case "flag" -> cmd.flag((int) v);
            case "opaque" -> cmd.opaque((int) v);
            default -> cmd.version((int) v);
          }
          return true;
        }
        case "language", "remark" -> {
          String v;
          if (literal("null")) {
            v = null;
          } else if ((v = string()) == null) {
            return false;
          }
          if (name.equals("language")) {
            cmd.language(v);
          } else {
            cmd.remark(v);
          }
          return true;
        }
        case "extFields" -> {
          if (literal("null")) {
            cmd.extFields(null);
            return true;
          }
          Map<String, String> fields = extFields();
          cmd.extFields(fields);
          return fields != null;
        }
        default -> {
          // Unknown top-level keys (serializeTypeCurrentRPC, ...): any scalar is skipped.
          return literal("null") || scalarText() != null;
        }
      }
    }

    private Map<String, String> extFields() {
      Map<String, String> fields = new LinkedHashMap<>(EXT_FIELDS_CAPACITY);
      boolean ok =
          object(
              key -> {
                if (literal("null")) {
                  return true;
                }
                String value = scalarText();
                fields.put(key, value);
                return value != null;
              });
      return ok ? fields : null;
    }

    /** A string, integer or boolean as Jackson's getText() gives it; null for anything else. */
    private String scalarText() {
      if (p < end && b[p] == '"') {
        return string();
      }
      if (literal("true")) {
        return "true";
      }
      if (literal("false")) {
        return "false";
      }
      int start = p;
      if (integerLength() < 0) {
        return null;
      }
      return new String(b, start, p - start, StandardCharsets.ISO_8859_1);
    }

    private static final long NOT_AN_INT = Long.MIN_VALUE;

    /** An int-range JSON integer, or NOT_AN_INT. */
    private long integer() {
      int start = p;
      int digits = integerLength();
      if (digits < 0 || digits > 10) {
        return NOT_AN_INT;
      }
      boolean negative = b[start] == '-';
      long v = 0;
      for (int i = negative ? start + 1 : start; i < p; i++) {
        v = v * 10 + (b[i] - '0');
      }
      v = negative ? -v : v;
      return v < Integer.MIN_VALUE || v > Integer.MAX_VALUE ? NOT_AN_INT : v;
    }

    /**
     * Consumes -?(0|[1-9][0-9]*) not followed by a fraction or exponent and returns its digit count
     * (at most 19), or -1 (position then unspecified: the caller gives up).
     */
    private int integerLength() {
      if (p < end && b[p] == '-') {
        p++;
      }
      int first = p;
      while (p < end && b[p] >= '0' && b[p] <= '9') {
        p++;
      }
      int digits = p - first;
      if (digits == 0 || digits > 19 || (digits > 1 && b[first] == '0')) {
        return -1;
      }
      if (p < end && (b[p] == '.' || b[p] == 'e' || b[p] == 'E')) {
        return -1;
      }
      return digits;
    }

    /** A member name: a shared string when it is a known one, else as {@link #string}. */
    private String name() {
      if (p < end && b[p] == '"') {
        int start = p + 1;
        for (int i = start; i < end && i - start <= KnownNames.MAX_LENGTH; i++) {
          byte c = b[i];
          if (c == '"') {
            String known = NAMES.find(b, start, i - start);
            if (known != null) {
              p = i + 1;
              return known;
            }
            break;
          }
          if (c == '\\' || c < 0x20) {
            break;
          }
        }
      }
      return string();
    }

    /** A quoted ASCII string (escapes decoded), or null. */
    private String string() {
      if (!take('"')) {
        return null;
      }
      byte[] b = this.b;
      int start = p;
      for (int i = start; i < end; i++) {
        byte c = b[i];
        if (c == '"') {
          p = i + 1;
          int length = i - start;
          return length == 1
              ? ONE_CHAR[b[start]]
              : new String(b, start, length, StandardCharsets.ISO_8859_1);
        }
        if (c == '\\') {
          return escapedString(start, i);
        }
        // Control characters (invalid raw) and non-ASCII (negative bytes) are Jackson's business.
        if (c < 0x20) {
          return null;
        }
      }
      return null;
    }

    /**
     * A string from {@code start} whose first backslash is at {@code escape}; null if it has a
     * character above U+00FF (rare in headers: Jackson then decodes it).
     */
    private String escapedString(int start, int escape) {
      byte[] b = this.b;
      // Decoded text is never longer than its encoding; Latin-1 bytes make the String directly.
      byte[] out = new byte[end - start];
      int n = escape - start;
      System.arraycopy(b, start, out, 0, n);
      int i = escape;
      while (i < end) {
        byte c = b[i++];
        if (c == '"') {
          p = i;
          return new String(out, 0, n, StandardCharsets.ISO_8859_1);
        }
        if (c < 0x20) {
          return null;
        }
        if (c != '\\') {
          out[n++] = c;
          continue;
        }
        if (i >= end) {
          return null;
        }
        switch (b[i++]) {
          case '"' -> out[n++] = '"';
          case '\\' -> out[n++] = '\\';
          case '/' -> out[n++] = '/';
          case 'b' -> out[n++] = '\b';
          case 'f' -> out[n++] = '\f';
          case 'n' -> out[n++] = '\n';
          case 'r' -> out[n++] = '\r';
          case 't' -> out[n++] = '\t';
          case 'u' -> {
            if (end - i < 4) {
              return null;
            }
            int v = hex(b[i]) << 12 | hex(b[i + 1]) << 8 | hex(b[i + 2]) << 4 | hex(b[i + 3]);
            if (v < 0 || v > 0xFF) {
              return null;
            }
            i += 4;
            out[n++] = (byte) v;
          }
          default -> {
            return null;
          }
        }
      }
      return null;
    }

    /** 0-15, or -1 (which makes any value it is or-ed into negative). */
    private static int hex(byte c) {
      if (c >= '0' && c <= '9') {
        return c - '0';
      }
      if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
      }
      if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
      }
      return -1;
    }

    /** Consumes {@code word} if it is next (what follows is checked by the caller). */
    private boolean literal(String word) {
      int n = word.length();
      if (end - p < n) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (b[p + i] != word.charAt(i)) {
          return false;
        }
      }
      p += n;
      return true;
    }

    private boolean take(char c) {
      if (p < end && b[p] == c) {
        p++;
        return true;
      }
      return false;
    }

    private void skipWhitespace() {
      while (p < end && (b[p] == ' ' || b[p] == '\n' || b[p] == '\r' || b[p] == '\t')) {
        p++;
      }
    }
  }
}
