package io.wharfmq.interop;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

/**
 * A raw AMQP 1.0 receiver over a plain socket (proton-j's engine on the client side, no SASL) that
 * reads from its socket only when told to: it attaches to a queue with a large credit and then can
 * leave everything Wharf sends unread, the slow reader of docs/amqp.md "Back-pressure". Its
 * socket's buffers are small, so that the kernel holds little of what Wharf sends. Not thread-safe,
 * except that {@link #writeEmptyFrames} may run on a thread of its own while nothing else writes.
 */
final class SlowAmqpReceiver implements AutoCloseable {
  /** An empty AMQP frame (a heartbeat): size 8, data offset 2, type 0, channel 0. */
  private static final byte[] EMPTY_FRAME = {0, 0, 0, 8, 2, 0, 0, 0};

  private final Socket socket = new Socket();
  private final OutputStream out;
  private final InputStream in;
  private final Transport transport = Proton.transport();
  private final Connection connection = Proton.connection();
  private final Collector collector = Proton.collector();
  private final Receiver receiver;

  /** Opens the connection and attaches a receiver from {@code queue} with {@code credit}. */
  SlowAmqpReceiver(int port, String queue, int credit) throws IOException {
    socket.setReceiveBufferSize(32 * 1024);
    socket.setSendBufferSize(64 * 1024);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    out = socket.getOutputStream();
    in = socket.getInputStream();
    connection.collect(collector);
    transport.bind(connection);
    connection.setContainer("slow-reader");
    connection.setHostname("127.0.0.1");
    connection.open();
    Session session = connection.session();
    session.open();
    receiver = session.receiver("slow-" + queue);
    Source source = new Source();
    source.setAddress(queue);
    receiver.setSource(source);
    receiver.setTarget(new Target());
    receiver.open();
    receiver.flow(credit);
    writeOutput();
  }

  /**
   * Reads, accepts and settles messages until {@code wanted} have come or {@code millis} passed;
   * returns the application property {@code n} of each, in order of arrival.
   */
  List<Integer> receive(int wanted, long millis) throws IOException {
    List<Integer> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    socket.setSoTimeout(200);
    byte[] buf = new byte[64 * 1024];
    while (got.size() < wanted && System.nanoTime() < deadline) {
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        n = 0;
      }
      if (n < 0) {
        throw new EOFException("Wharf closed the connection after " + got.size() + " messages");
      }
      feed(buf, n);
      Event e;
      while ((e = collector.peek()) != null) {
        if (e.getType() == Event.Type.DELIVERY) {
          take(e.getDelivery(), got);
        }
        collector.pop();
      }
      writeOutput();
    }
    return got;
  }

  private void feed(byte[] buf, int n) {
    int off = 0;
    while (off < n) {
      int capacity = transport.capacity();
      if (capacity <= 0) {
        throw new IllegalStateException("client transport closed: " + transport.getCondition());
      }
      ByteBuffer tail = transport.tail();
      int k = Math.min(Math.min(capacity, tail.remaining()), n - off);
      tail.put(buf, off, k);
      transport.process();
      off += k;
    }
  }

  private void take(Delivery d, List<Integer> got) {
    if (d.getLink() != receiver || !d.isReadable() || d.isPartial()) {
      return;
    }
    byte[] bytes = new byte[d.pending()];
    int read = receiver.recv(bytes, 0, bytes.length);
    receiver.advance();
    Message m = Message.Factory.create();
    m.decode(bytes, 0, read);
    ApplicationProperties props = m.getApplicationProperties();
    got.add(((Number) props.getValue().get("n")).intValue());
    d.disposition(Accepted.getInstance());
    d.settle();
  }

  private void writeOutput() throws IOException {
    while (transport.pending() > 0) {
      ByteBuffer head = transport.head();
      byte[] b = new byte[head.remaining()];
      head.get(b);
      out.write(b);
      transport.pop(b.length);
    }
    out.flush();
  }

  /**
   * Writes empty frames (heartbeats, which Wharf must read and ignore) without ever reading, until
   * {@code total} bytes are written or the socket fails; {@code written} counts them. Blocks while
   * Wharf does not read.
   */
  void writeEmptyFrames(long total, AtomicLong written) {
    byte[] chunk = new byte[8 * 1024];
    for (int i = 0; i < chunk.length; i += EMPTY_FRAME.length) {
      System.arraycopy(EMPTY_FRAME, 0, chunk, i, EMPTY_FRAME.length);
    }
    try {
      while (written.get() < total) {
        out.write(chunk);
        written.addAndGet(chunk.length);
      }
    } catch (IOException e) {
      // closed by the test
    }
  }

  /** Closes the socket without a close frame (another thread may be writing). */
  void abort() throws IOException {
    socket.close();
  }

  /** Closes the connection politely (close frame), then the socket. */
  @Override
  public void close() throws IOException {
    try {
      connection.close();
      writeOutput();
    } catch (IOException e) {
      // the socket is gone already
    } finally {
      socket.close();
    }
  }
}
