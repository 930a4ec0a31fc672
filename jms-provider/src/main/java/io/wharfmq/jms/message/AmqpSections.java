package io.wharfmq.jms.message;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.codec.WritableBuffer;

/**
 * AMQP encoding of message sections with proton-j's codec: the message annotations and the Map,
 * Stream and null bodies a record keeps AMQP-encoded (docs/mapping.md, WHARF_BODY=E). Thread-safe:
 * each thread uses its own proton-j decoder and encoder (both keep state between calls).
 */
final class AmqpSections {
  private AmqpSections() {}

  private static final class Codec {
    final DecoderImpl decoder = new DecoderImpl();
    final EncoderImpl encoder = new EncoderImpl(decoder);

    Codec() {
      AMQPDefinedTypes.registerAllTypes(decoder, encoder);
    }
  }

  private static final ThreadLocal<Codec> CODEC = ThreadLocal.withInitial(Codec::new);

  /** The AMQP encoding of one section (or any AMQP value). */
  static byte[] encode(Object section) {
    EncoderImpl encoder = CODEC.get().encoder;
    for (int capacity = 256; ; capacity *= 2) {
      ByteBuffer out = ByteBuffer.allocate(capacity);
      encoder.setByteBuffer(WritableBuffer.ByteBufferWrapper.wrap(out));
      try {
        encoder.writeObject(section);
        return Arrays.copyOf(out.array(), out.position());
      } catch (BufferOverflowException tooSmall) {
        // proton-j checks room as it goes: try again with twice the room
      }
    }
  }

  /**
   * The sections encoded one after the other in {@code bytes}; IllegalArgumentException when they
   * do not decode.
   */
  static List<Object> decode(byte[] bytes) {
    DecoderImpl decoder = CODEC.get().decoder;
    ByteBuffer in = ByteBuffer.wrap(bytes);
    decoder.setByteBuffer(in);
    List<Object> sections = new ArrayList<>();
    try {
      while (in.hasRemaining()) {
        sections.add(decoder.readObject());
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the AMQP body does not decode: " + e, e);
    }
    return sections;
  }
}
