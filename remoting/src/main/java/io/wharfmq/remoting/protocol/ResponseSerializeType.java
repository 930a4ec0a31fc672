package io.wharfmq.remoting.protocol;

import io.wharfmq.remoting.protocol.RemotingCommand.SerializeType;

/**
 * Which header format a server answers in (configuration key {@code responseSerializeType}). Apache
 * RocketMQ's servers answer every client in one format, JSON unless the JVM is started with {@code
 * -Drocketmq.serialize.type=ROCKETMQ}; a RocketMQ client reads either, whatever it sent, because
 * each frame names its own format. The binary ROCKETMQ header costs a Java client several times
 * less to read than JSON, so by default Wharf answers in it where the client is known to read it.
 * See docs/protocol.md, section "Frame".
 */
public enum ResponseSerializeType {
  /**
   * ROCKETMQ to a request sent in ROCKETMQ, or from a Java client of Apache RocketMQ 4.0 or later
   * (every such client decodes both formats); JSON to everyone else (Go, C++, unknown clients).
   */
  AUTO,
  /** JSON to every request, as Apache RocketMQ's servers do by default. */
  JSON,
  /** The binary header to every request. */
  ROCKETMQ;

  /** {@code MQVersion.Version.V4_0_0.ordinal()}: the first Apache release. */
  static final int FIRST_APACHE_VERSION = 213;

  /** The frame type ({@link SerializeType}) to answer {@code request} in. */
  public int forRequest(RemotingCommand request) {
    return switch (this) {
      case JSON -> SerializeType.JSON;
      case ROCKETMQ -> SerializeType.ROCKETMQ;
      case AUTO ->
          request.serializeType() == SerializeType.ROCKETMQ
                  || ("JAVA".equals(request.language())
                      && request.version() >= FIRST_APACHE_VERSION)
              ? SerializeType.ROCKETMQ
              : SerializeType.JSON;
    };
  }
}
