package io.wharfmq.remoting.protocol;

import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One RocketMQ remoting frame: header fields plus an opaque body. Requests and responses share the
 * type and differ by the response bit of {@link #flag()}. The body is either a byte array or, for
 * responses that carry stored messages, a Netty buffer that wraps store memory without copying
 * (released after the write).
 *
 * <p>Mutable; owned by one thread at a time.
 */
public final class RemotingCommand {
  /** flag bit 0: this is a response. */
  public static final int FLAG_RESPONSE = 1;

  /** flag bit 1: oneway request, no response expected. */
  public static final int FLAG_ONEWAY = 2;

  /** The version Wharf speaks: Apache RocketMQ 5.3.1's MQVersion ordinal. */
  public static final int VERSION = 475;

  private static final AtomicInteger NEXT_OPAQUE = new AtomicInteger();

  private int code;
  private String language = "JAVA";
  private int version = VERSION;
  private int opaque;
  private int flag;
  private String remark;
  private Map<String, String> extFields;
  private byte[] body;
  private ByteBuf bodyBuffer;
  private int serializeType = SerializeType.JSON;
  private int replySerializeType = SerializeType.JSON;
  private long receivedNanos;

  /** A new request with a fresh opaque. */
  public static RemotingCommand request(int code) {
    RemotingCommand c = new RemotingCommand();
    c.code = code;
    c.opaque = NEXT_OPAQUE.getAndIncrement();
    return c;
  }

  /** A response to {@code request}: same opaque, response bit set. */
  public static RemotingCommand responseTo(RemotingCommand request, int code, String remark) {
    RemotingCommand c = new RemotingCommand();
    c.code = code;
    c.opaque = request.opaque;
    c.flag = FLAG_RESPONSE;
    c.remark = remark;
    c.serializeType = request.replySerializeType;
    return c;
  }

  /** Frame types: the high byte of the header-length word. */
  public static final class SerializeType {
    private SerializeType() {}

    public static final int JSON = 0;
    public static final int ROCKETMQ = 1;
  }

  public int code() {
    return code;
  }

  public RemotingCommand code(int v) {
    code = v;
    return this;
  }

  public String language() {
    return language;
  }

  public RemotingCommand language(String v) {
    language = v;
    return this;
  }

  public int version() {
    return version;
  }

  public RemotingCommand version(int v) {
    version = v;
    return this;
  }

  public int opaque() {
    return opaque;
  }

  public RemotingCommand opaque(int v) {
    opaque = v;
    return this;
  }

  public int flag() {
    return flag;
  }

  public RemotingCommand flag(int v) {
    flag = v;
    return this;
  }

  public boolean isResponse() {
    return (flag & FLAG_RESPONSE) != 0;
  }

  public boolean isOneway() {
    return (flag & FLAG_ONEWAY) != 0;
  }

  public RemotingCommand markOneway() {
    flag |= FLAG_ONEWAY;
    return this;
  }

  public String remark() {
    return remark;
  }

  public RemotingCommand remark(String v) {
    remark = v;
    return this;
  }

  /** Header fields; never null (an empty map when the frame had none). */
  public Map<String, String> extFields() {
    if (extFields == null) {
      extFields = new LinkedHashMap<>();
    }
    return extFields;
  }

  /** Whether any header field is present (without creating the map). */
  public boolean hasExtFields() {
    return extFields != null;
  }

  public RemotingCommand extFields(Map<String, String> v) {
    extFields = v;
    return this;
  }

  /** Sets a header field; null values are left out, as RocketMQ does. */
  public RemotingCommand put(String key, Object value) {
    if (value != null) {
      extFields().put(key, String.valueOf(value));
    }
    return this;
  }

  /** A header field, or null. */
  public String get(String key) {
    return extFields == null ? null : extFields.get(key);
  }

  public byte[] body() {
    return body;
  }

  public RemotingCommand body(byte[] v) {
    body = v;
    return this;
  }

  /** Zero-copy body for outbound frames; the encoder writes and releases it. */
  public ByteBuf bodyBuffer() {
    return bodyBuffer;
  }

  public RemotingCommand bodyBuffer(ByteBuf v) {
    bodyBuffer = v;
    return this;
  }

  public int bodyLength() {
    if (bodyBuffer != null) {
      return bodyBuffer.readableBytes();
    }
    return body == null ? 0 : body.length;
  }

  /**
   * The frame type this command was received in, or is to be sent in: JSON unless set, and for a
   * response made by {@link #responseTo} the request's {@link #replySerializeType()}.
   */
  public int serializeType() {
    return serializeType;
  }

  public RemotingCommand serializeType(int v) {
    serializeType = v;
    return this;
  }

  /**
   * The frame type responses to this request are sent in; a server sets it on receipt from its
   * {@link ResponseSerializeType}. JSON unless set.
   */
  public int replySerializeType() {
    return replySerializeType;
  }

  public RemotingCommand replySerializeType(int v) {
    replySerializeType = v;
    return this;
  }

  /** System.nanoTime() when the frame was decoded (0 for commands built locally). */
  public long receivedNanos() {
    return receivedNanos;
  }

  public RemotingCommand receivedNanos(long v) {
    receivedNanos = v;
    return this;
  }

  @Override
  public String toString() {
    return "RemotingCommand{code="
        + code
        + ", opaque="
        + opaque
        + ", flag="
        + flag
        + ", remark="
        + remark
        + ", extFields="
        + extFields
        + ", body="
        + bodyLength()
        + " bytes}";
  }
}
