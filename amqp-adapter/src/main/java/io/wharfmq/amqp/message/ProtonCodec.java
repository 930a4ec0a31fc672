package io.wharfmq.amqp.message;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.codec.WritableBuffer;

/**
 * One thread's proton-j decoder and encoder (both keep state between calls) and a scratch buffer
 * for encoding sections before the message's size is known. Owned by one thread ({@link
 * AmqpMessageCodec} keeps one per thread).
 */
final class ProtonCodec {
  private static final int MAX_SCRATCH = 64 * 1024 * 1024;

  final DecoderImpl decoder = new DecoderImpl();
  final EncoderImpl encoder = new EncoderImpl(decoder);
  private ByteBuffer scratch = ByteBuffer.allocate(4096);

  ProtonCodec() {
    AMQPDefinedTypes.registerAllTypes(decoder, encoder);
  }

  /** Something that writes AMQP values with the encoder. */
  @FunctionalInterface
  interface Writes {
    void writeTo(EncoderImpl encoder);
  }

  /**
   * Encodes with {@code writes} into the scratch buffer, growing it until the values fit, and
   * returns the scratch array; the encoded bytes are {@code [0, returned length)} of {@link
   * #scratch()}.
   */
  int encode(Writes writes) {
    while (true) {
      scratch.clear();
      encoder.setByteBuffer(WritableBuffer.ByteBufferWrapper.wrap(scratch));
      try {
        writes.writeTo(encoder);
        return scratch.position();
      } catch (BufferOverflowException e) {
        if (scratch.capacity() >= MAX_SCRATCH) {
          throw new IllegalArgumentException("AMQP sections over " + MAX_SCRATCH + " bytes");
        }
        scratch = ByteBuffer.allocate(scratch.capacity() * 2);
      }
    }
  }

  byte[] scratch() {
    return scratch.array();
  }

  /** The first {@code length} scratch bytes, copied. */
  byte[] scratchCopy(int length) {
    return Arrays.copyOf(scratch.array(), length);
  }
}
