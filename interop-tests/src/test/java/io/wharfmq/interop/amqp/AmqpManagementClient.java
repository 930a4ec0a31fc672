package io.wharfmq.interop.amqp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

/**
 * A blocking client of Wharf's {@code /management} node (RabbitMQ 4's HTTP over AMQP, docs/
 * rabbitmq.md "The /management node") on proton-j's engine over a plain socket: the link pair with
 * {@code paired = true}, one request at a time, pre-settled. Used by tests that need topology
 * declared and inspected in the test JVM (RabbitMQ's own Java client needs Netty 4.2 and runs in a
 * child JVM, RabbitMqClientInteropTest). Not thread-safe.
 */
final class AmqpManagementClient implements AutoCloseable {
  private static final Map<Symbol, Object> PAIRED = Map.of(Symbol.valueOf("paired"), true);
  private static final long TIMEOUT_MILLIS = 10_000;

  /** A response: the status code (the subject) and the body's value. */
  record Response(int status, Object body) {}

  private final Socket socket = new Socket();
  private final OutputStream out;
  private final InputStream in;
  private final Transport transport = Proton.transport();
  private final Connection connection = Proton.connection();
  private final Sender requests;
  private final Receiver responses;
  private final byte[] buf = new byte[64 * 1024];
  private long next;

  AmqpManagementClient(String host, int port) throws IOException {
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(100);
    out = socket.getOutputStream();
    in = socket.getInputStream();
    transport.bind(connection);
    connection.setContainer("management-client");
    connection.setHostname(host);
    connection.open();
    Session session = connection.session();
    session.open();
    requests = session.sender("management-link-pair");
    Target t = new Target();
    t.setAddress("/management");
    requests.setTarget(t);
    requests.setSource(new Source());
    requests.setSenderSettleMode(SenderSettleMode.SETTLED);
    requests.setProperties(PAIRED);
    requests.open();
    responses = session.receiver("management-link-pair");
    Source s = new Source();
    s.setAddress("/management");
    responses.setSource(s);
    responses.setTarget(new Target());
    responses.setProperties(PAIRED);
    responses.open();
    responses.flow(100);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    while (requests.getCredit() <= 0 || responses.getRemoteState() != EndpointState.ACTIVE) {
      if (System.nanoTime() > deadline) {
        throw new IOException("the /management link pair did not open");
      }
      pump();
    }
  }

  /**
   * Sends {@code METHOD path} with {@code body} (an AMQP value or null) and waits for its answer.
   */
  Response request(String method, String path, Object body) throws IOException {
    Message m = Message.Factory.create();
    String id = "req-" + next++;
    m.setMessageId(id);
    m.setAddress(path);
    m.setSubject(method);
    m.setReplyTo("$me");
    m.setBody(new AmqpValue(body));
    byte[] encoded = new byte[64 * 1024];
    int n = m.encode(encoded, 0, encoded.length);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    while (requests.getCredit() <= 0) {
      if (System.nanoTime() > deadline) {
        throw new IOException("no credit for a request on /management");
      }
      pump();
    }
    Delivery d = requests.delivery(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    requests.send(encoded, 0, n);
    requests.advance();
    d.settle();
    writeOutput();
    while (System.nanoTime() < deadline) {
      Delivery r = responses.current();
      if (r != null && r.isReadable() && !r.isPartial()) {
        byte[] bytes = new byte[r.pending()];
        int read = responses.recv(bytes, 0, bytes.length);
        responses.advance();
        r.settle();
        responses.flow(1);
        Message answer = Message.Factory.create();
        answer.decode(bytes, 0, read);
        if (!id.equals(answer.getCorrelationId())) {
          throw new IOException("answer to another request: " + answer.getCorrelationId());
        }
        Object value = answer.getBody() instanceof AmqpValue v ? v.getValue() : answer.getBody();
        return new Response(Integer.parseInt(answer.getSubject()), value);
      }
      pump();
    }
    throw new IOException("no answer to " + method + " " + path + " within " + TIMEOUT_MILLIS);
  }

  private void pump() throws IOException {
    writeOutput();
    int n;
    try {
      n = in.read(buf);
    } catch (SocketTimeoutException e) {
      n = 0;
    }
    if (n < 0) {
      throw new EOFException("Wharf closed the management connection");
    }
    int off = 0;
    while (off < n) {
      int capacity = transport.capacity();
      if (capacity <= 0) {
        throw new IOException("client transport closed: " + transport.getCondition());
      }
      ByteBuffer tail = transport.tail();
      int k = Math.min(Math.min(capacity, tail.remaining()), n - off);
      tail.put(buf, off, k);
      transport.process();
      off += k;
    }
    if (responses.getRemoteState() == EndpointState.CLOSED
        || requests.getRemoteState() == EndpointState.CLOSED) {
      throw new IOException("the /management link was closed: " + responses.getRemoteCondition());
    }
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

  @Override
  public void close() {
    try {
      connection.close();
      writeOutput();
    } catch (IOException e) {
      // the broker may be gone already
    }
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
