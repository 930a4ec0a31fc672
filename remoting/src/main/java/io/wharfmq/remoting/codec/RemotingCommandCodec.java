package io.wharfmq.remoting.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingCommand.SerializeType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes and decodes remoting frames in both header formats: JSON (what RocketMQ clients send by
 * default) and the binary ROCKETMQ header. A command is written in its {@link
 * RemotingCommand#serializeType()}. Common JSON headers take {@link PlainJsonHeader}'s Jackson-free
 * path both ways; the rest is read with Jackson's streaming parser, which is tolerant like the
 * RocketMQ client's fastjson: key order is free, unknown keys are ignored, missing keys take
 * defaults, numbers in extFields become strings. Stateless; thread-safe.
 */
public final class RemotingCommandCodec {
  private static final JsonFactory JSON = new JsonFactory();

  private RemotingCommandCodec() {}

  /**
   * Decodes a frame whose length field was already stripped: {@code frame} holds the header word,
   * the header and the body. The body is copied out.
   */
  public static RemotingCommand decode(ByteBuf frame) throws MalformedFrameException {
    if (frame.readableBytes() < FrameLayout.HEADER_WORD_SIZE) {
      throw new MalformedFrameException("frame shorter than its header word");
    }
    int word = frame.readInt();
    int type = FrameLayout.serializeType(word);
    int headerLength = FrameLayout.headerLength(word);
    if (headerLength > frame.readableBytes()) {
      throw new MalformedFrameException(
          "header length " + headerLength + " exceeds frame (" + frame.readableBytes() + " left)");
    }
    ByteBuf header = frame.readSlice(headerLength);
    RemotingCommand cmd;
    if (type == SerializeType.JSON) {
      cmd = decodeJson(header);
    } else if (type == SerializeType.ROCKETMQ) {
      cmd = decodeBinary(header);
    } else {
      throw new MalformedFrameException("unknown serialize type " + type);
    }
    cmd.serializeType(type);
    if (frame.isReadable()) {
      byte[] body = new byte[frame.readableBytes()];
      frame.readBytes(body);
      cmd.body(body);
    }
    return cmd;
  }

  /** Writes a whole frame (length field included) except a zero-copy body, which follows it. */
  public static void encodeHeader(RemotingCommand cmd, ByteBuf out) {
    int start = out.writerIndex();
    out.writeInt(0); // length, patched below
    out.writeInt(0); // header word, patched below
    int headerStart = out.writerIndex();
    boolean binary = cmd.serializeType() == SerializeType.ROCKETMQ;
    if (binary) {
      writeBinary(cmd, out);
    } else if (!PlainJsonHeader.write(cmd, out)) {
      writeJson(cmd, out);
    }
    int headerLength = out.writerIndex() - headerStart;
    int bodyLength = cmd.bodyLength();
    out.setInt(start, FrameLayout.HEADER_WORD_SIZE + headerLength + bodyLength);
    out.setInt(
        start + 4,
        FrameLayout.headerWord(binary ? SerializeType.ROCKETMQ : SerializeType.JSON, headerLength));
    if (cmd.body() != null && cmd.bodyBuffer() == null) {
      out.writeBytes(cmd.body());
    }
  }

  /** Jackson's JSON header; also what {@link PlainJsonHeader} must match byte for byte. */
  static void writeJson(RemotingCommand cmd, ByteBuf out) {
    try (JsonGenerator g =
        JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(out))) {
      g.writeStartObject();
      g.writeNumberField("code", cmd.code());
      if (cmd.hasExtFields()) {
        g.writeObjectFieldStart("extFields");
        for (Map.Entry<String, String> e : cmd.extFields().entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      g.writeNumberField("flag", cmd.flag());
      g.writeStringField("language", cmd.language() == null ? "JAVA" : cmd.language());
      g.writeNumberField("opaque", cmd.opaque());
      if (cmd.remark() != null) {
        g.writeStringField("remark", cmd.remark());
      }
      g.writeStringField("serializeTypeCurrentRPC", "JSON");
      g.writeNumberField("version", cmd.version());
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON into a buffer cannot fail", e);
    }
  }

  private static RemotingCommand decodeJson(ByteBuf header) throws MalformedFrameException {
    RemotingCommand plain = PlainJsonHeader.read(header);
    return plain != null ? plain : decodeJsonWithJackson(header);
  }

  /** Jackson's reading: the definition of accepted headers, which the plain reader must match. */
  static RemotingCommand decodeJsonWithJackson(ByteBuf header) throws MalformedFrameException {
    RemotingCommand cmd = new RemotingCommand();
    try (InputStream in = new io.netty.buffer.ByteBufInputStream(header);
        JsonParser p = JSON.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedFrameException("JSON header is not an object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "code" -> cmd.code(intValue(p, value, name));
          case "flag" -> cmd.flag(intValue(p, value, name));
          case "opaque" -> cmd.opaque(intValue(p, value, name));
          case "version" -> cmd.version(intValue(p, value, name));
          case "language" -> cmd.language(value == JsonToken.VALUE_NULL ? null : p.getText());
          case "remark" -> cmd.remark(value == JsonToken.VALUE_NULL ? null : p.getText());
          case "extFields" -> cmd.extFields(readExtFields(p, value));
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new MalformedFrameException("JSON header is not a complete object");
      }
    } catch (IOException e) {
      throw new MalformedFrameException("bad JSON header: " + e.getMessage(), e);
    }
    return cmd;
  }

  private static int intValue(JsonParser p, JsonToken value, String name)
      throws IOException, MalformedFrameException {
    if (value == JsonToken.VALUE_NUMBER_INT) {
      return p.getIntValue();
    }
    if (value == JsonToken.VALUE_STRING) {
      try {
        return Integer.parseInt(p.getText().trim());
      } catch (NumberFormatException e) {
        throw new MalformedFrameException("field " + name + " is not a number: " + p.getText());
      }
    }
    if (value == JsonToken.VALUE_NULL) {
      return 0;
    }
    throw new MalformedFrameException("field " + name + " is not a number");
  }

  private static Map<String, String> readExtFields(JsonParser p, JsonToken value)
      throws IOException, MalformedFrameException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.START_OBJECT) {
      throw new MalformedFrameException("extFields is not an object");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
        p.skipChildren();
      } else if (v != JsonToken.VALUE_NULL) {
        fields.put(key, p.getText());
      }
    }
    return fields;
  }

  /**
   * The binary ROCKETMQ header: code (short), language (byte), version (short), opaque, flag,
   * remark (int length + UTF-8, length 0 for none), then the ext fields' total length (int) and
   * each field as key (short length + UTF-8) and value (int length + UTF-8).
   */
  static void writeBinary(RemotingCommand cmd, ByteBuf out) {
    out.writeShort(cmd.code());
    out.writeByte(languageCode(cmd.language()));
    out.writeShort(cmd.version());
    out.writeInt(cmd.opaque());
    out.writeInt(cmd.flag());
    int remarkAt = out.writerIndex();
    out.writeInt(0);
    if (cmd.remark() != null) {
      out.setInt(remarkAt, ByteBufUtil.writeUtf8(out, cmd.remark()));
    }
    int extAt = out.writerIndex();
    out.writeInt(0);
    if (cmd.hasExtFields()) {
      for (Map.Entry<String, String> e : cmd.extFields().entrySet()) {
        int keyAt = out.writerIndex();
        out.writeShort(0);
        int keyLength = ByteBufUtil.writeUtf8(out, e.getKey());
        if (keyLength > Short.MAX_VALUE) {
          throw new IllegalArgumentException("header key longer than 32767 bytes");
        }
        out.setShort(keyAt, keyLength);
        int valueAt = out.writerIndex();
        out.writeInt(0);
        out.setInt(valueAt, ByteBufUtil.writeUtf8(out, e.getValue()));
      }
      out.setInt(extAt, out.writerIndex() - extAt - 4);
    }
  }

  private static RemotingCommand decodeBinary(ByteBuf h) throws MalformedFrameException {
    try {
      RemotingCommand cmd = new RemotingCommand();
      cmd.code(h.readShort());
      cmd.language(languageName(h.readByte()));
      cmd.version(h.readShort());
      cmd.opaque(h.readInt());
      cmd.flag(h.readInt());
      int remarkLength = h.readInt();
      if (remarkLength > 0) {
        cmd.remark(readString(h, remarkLength));
      }
      int extLength = h.readInt();
      if (extLength > 0) {
        ByteBuf ext = h.readSlice(extLength);
        Map<String, String> fields = new LinkedHashMap<>();
        while (ext.isReadable()) {
          String key = readString(ext, ext.readShort());
          String val = readString(ext, ext.readInt());
          fields.put(key, val);
        }
        cmd.extFields(fields);
      }
      return cmd;
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      throw new MalformedFrameException("bad ROCKETMQ binary header: " + e.getMessage(), e);
    }
  }

  private static String readString(ByteBuf buf, int length) {
    if (length < 0 || length > buf.readableBytes()) {
      throw new IllegalArgumentException("string length " + length + " out of bounds");
    }
    String s = buf.toString(buf.readerIndex(), length, StandardCharsets.UTF_8);
    buf.skipBytes(length);
    return s;
  }

  private static final String[] LANGUAGES = {
    "JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER", "HTTP", "GO", "PHP",
    "OMS", "RUST"
  };

  private static int languageCode(String name) {
    for (int i = 0; i < LANGUAGES.length; i++) {
      if (LANGUAGES[i].equals(name)) {
        return i;
      }
    }
    return 0; // JAVA, as RocketMQ sends for its own servers
  }

  private static String languageName(byte code) {
    return code >= 0 && code < LANGUAGES.length ? LANGUAGES[code] : "OTHER";
  }
}
