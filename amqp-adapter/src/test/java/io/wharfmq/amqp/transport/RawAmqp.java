package io.wharfmq.amqp.transport;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;

/**
 * A raw AMQP 1.0 peer over a plain socket for tests: writes any bytes, frames encoded with
 * proton-j's codec (performatives or arbitrary values), and reads the listener's frames back
 * decoded. Not thread-safe.
 */
final class RawAmqp implements AutoCloseable {
  static final byte[] AMQP_HEADER = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
  static final byte[] SASL_HEADER = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};

  /** A frame read back: channel and decoded body (null for an empty frame). */
  record Frame(int type, int channel, Object body, byte[] payload) {}

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final DecoderImpl decoder = new DecoderImpl();
  private final EncoderImpl encoder = new EncoderImpl(decoder);

  RawAmqp(int port, int readTimeoutMillis) throws IOException {
    AMQPDefinedTypes.registerAllTypes(decoder, encoder);
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(readTimeoutMillis);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
  }

  /** The local port of this peer's socket (the listener names the peer by it). */
  int localPort() {
    return socket.getLocalPort();
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** The encoding of {@code value} (a performative, a described type, any AMQP value). */
  byte[] encode(Object value) {
    ByteBuffer b = ByteBuffer.allocate(1 << 20);
    encoder.setByteBuffer(b);
    encoder.writeObject(value);
    return Arrays.copyOf(b.array(), b.position());
  }

  /** A frame of {@code type} (0 AMQP, 1 SASL) with {@code body} bytes. */
  static byte[] frame(int type, int channel, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(8 + body.length);
    b.putInt(8 + body.length).put((byte) 2).put((byte) type).putShort((short) channel).put(body);
    return b.array();
  }

  void send(int channel, Object performative) throws IOException {
    write(frame(0, channel, encode(performative)));
  }

  void send(int channel, Object performative, byte[] payload) throws IOException {
    byte[] body = encode(performative);
    byte[] all = Arrays.copyOf(body, body.length + payload.length);
    System.arraycopy(payload, 0, all, body.length, payload.length);
    write(frame(0, channel, all));
  }

  /** Reads the 8-byte protocol header the listener answers with. */
  byte[] readHeader() throws IOException {
    byte[] h = new byte[8];
    in.readFully(h);
    return h;
  }

  /** The next frame; EOFException when the listener closed the socket. */
  Frame readFrame() throws IOException {
    int size = in.readInt();
    int doff = in.readUnsignedByte() * 4;
    int type = in.readUnsignedByte();
    int channel = in.readUnsignedShort();
    in.skipNBytes(doff - 8);
    byte[] body = new byte[size - doff];
    in.readFully(body);
    if (body.length == 0) {
      return new Frame(type, channel, null, new byte[0]);
    }
    ByteBuffer b = ByteBuffer.wrap(body);
    decoder.setByteBuffer(b);
    Object value = decoder.readObject();
    byte[] payload = Arrays.copyOfRange(body, b.position(), body.length);
    return new Frame(type, channel, value, payload);
  }

  /** The next frame whose body is of {@code type}, skipping others (empty frames, ...). */
  <T> T expect(Class<T> type) throws IOException {
    while (true) {
      Frame f = readFrame();
      if (type.isInstance(f.body())) {
        return type.cast(f.body());
      }
    }
  }

  /** True when the listener closes the socket within the read timeout (after any frames). */
  boolean closedByPeer() throws IOException {
    try {
      while (in.read() >= 0) {
        // drain what comes before the end
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  static Binary binary(byte[] b) {
    return new Binary(b);
  }

  /** proton-j's codec on its own, for building byte streams without a socket. */
  static final class Codec {
    private final DecoderImpl decoder = new DecoderImpl();
    private final EncoderImpl encoder = new EncoderImpl(decoder);

    Codec() {
      AMQPDefinedTypes.registerAllTypes(decoder, encoder);
    }

    byte[] encode(Object value) {
      ByteBuffer b = ByteBuffer.allocate(1 << 16);
      encoder.setByteBuffer(b);
      encoder.writeObject(value);
      return Arrays.copyOf(b.array(), b.position());
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  static boolean isEof(IOException e) {
    return e instanceof EOFException;
  }
}
