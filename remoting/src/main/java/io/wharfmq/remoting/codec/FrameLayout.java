package io.wharfmq.remoting.codec;

/**
 * Byte layout of a remoting frame, see docs/protocol.md section "Frame": {int length, int
 * serializeType<<24 | headerLength, header, body}; length counts everything after itself. All
 * integers big-endian. Stateless.
 */
public final class FrameLayout {
  private FrameLayout() {}

  public static final int LENGTH_FIELD_SIZE = 4;
  public static final int HEADER_WORD_SIZE = 4;

  /** Largest frame accepted (after the length field), as the RocketMQ client's default. */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

  public static int headerWord(int serializeType, int headerLength) {
    return (serializeType << 24) | (headerLength & 0xFFFFFF);
  }

  public static int serializeType(int headerWord) {
    return (headerWord >>> 24) & 0xFF;
  }

  public static int headerLength(int headerWord) {
    return headerWord & 0xFFFFFF;
  }
}
