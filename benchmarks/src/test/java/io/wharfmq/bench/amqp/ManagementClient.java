package io.wharfmq.bench.amqp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Endpoint;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

/**
 * A minimal client of the {@code /management} node (RabbitMQ 4's HTTP over AMQP 1.0, which Wharf
 * serves too): one blocking socket, a proton-j engine pumped by the calling thread, SASL ANONYMOUS,
 * the link pair {@code management-link-pair} (both links with property {@code paired = true}),
 * pre-settled requests with {@code reply-to = $me}, one request at a time.
 *
 * <p>Why not RabbitMQ's own AMQP 1.0 Java client ({@code com.rabbitmq.client:amqp-client}): it
 * needs Netty 4.2, and the benchmark's class path, which the Wharf broker child shares, has the
 * project's Netty 4.1. Not thread-safe: one thread owns it.
 */
final class ManagementClient implements AutoCloseable {
  private static final String LINK_NAME = "management-link-pair";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The answer to one request: the HTTP status (the reply's subject) and its amqp-value body. */
  record Response(int status, Object body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Transport transport = Proton.transport();
  private final Connection connection = Proton.connection();
  private final Sender requests;
  private final Receiver responses;
  private final byte[] readBuffer = new byte[64 * 1024];
  private long tags;

  private ManagementClient(Socket socket, String vhost) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    Sasl sasl = transport.sasl();
    sasl.client();
    sasl.setMechanisms("ANONYMOUS");
    sasl.send(new byte[0], 0, 0);
    connection.setContainer("wharf-bench-" + UUID.randomUUID());
    connection.setHostname("vhost:" + vhost);
    transport.bind(connection);
    connection.open();
    Session session = connection.session();
    session.open();

    Map<Symbol, Object> paired = Map.of(Symbol.valueOf("paired"), Boolean.TRUE);
    requests = session.sender(LINK_NAME);
    Target requestTarget = new Target();
    requestTarget.setAddress("/management");
    requests.setTarget(requestTarget);
    requests.setSource(new Source());
    requests.setSenderSettleMode(SenderSettleMode.SETTLED);
    requests.setReceiverSettleMode(ReceiverSettleMode.FIRST);
    requests.setProperties(paired);
    requests.open();

    responses = session.receiver(LINK_NAME);
    Source responseSource = new Source();
    responseSource.setAddress("/management");
    responses.setSource(responseSource);
    responses.setTarget(new Target());
    responses.setSenderSettleMode(SenderSettleMode.SETTLED);
    responses.setReceiverSettleMode(ReceiverSettleMode.FIRST);
    responses.setProperties(paired);
    responses.open();
    responses.flow(8);

    await(
        () -> opened(connection) && opened(requests) && opened(responses),
        "the management link pair to attach");
  }

  /** Connects to 127.0.0.1:{@code port}, vhost {@code vhost}, and attaches the link pair. */
  static ManagementClient connect(int port, String vhost) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setTcpNoDelay(true);
      s.setSoTimeout(50);
      return new ManagementClient(s, vhost);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Sends one request and waits for its answer. {@code body}: a map, or null. */
  Response request(String method, String path, Map<String, Object> body) throws IOException {
    await(() -> requests.getCredit() > 0, "credit on the management request link");
    String id = UUID.randomUUID().toString();
    Message m = Message.Factory.create();
    m.setMessageId(id);
    m.setAddress(path);
    m.setSubject(method);
    m.setReplyTo("$me");
    m.setBody(new AmqpValue(body));
    byte[] encoded = encode(m);
    Delivery d = requests.delivery(Long.toString(tags++).getBytes(StandardCharsets.US_ASCII));
    requests.send(encoded, 0, encoded.length);
    d.settle();
    requests.advance();

    Message[] answer = new Message[1];
    await(
        () -> {
          Delivery r = responses.current();
          if (r == null || r.isPartial() || !r.isReadable()) {
            return false;
          }
          byte[] bytes = new byte[r.pending()];
          int n = responses.recv(bytes, 0, bytes.length);
          responses.advance();
          r.settle();
          responses.flow(1);
          Message reply = Message.Factory.create();
          reply.decode(bytes, 0, n);
          if (id.equals(reply.getCorrelationId())) {
            answer[0] = reply;
            return true;
          }
          return false; // an answer to an earlier request that timed out
        },
        method + " " + path);
    Object value = answer[0].getBody() instanceof AmqpValue v ? v.getValue() : answer[0].getBody();
    String subject = answer[0].getSubject();
    try {
      return new Response(Integer.parseInt(subject), value);
    } catch (NumberFormatException e) {
      throw new IOException(
          method + " " + path + ": the reply's subject is not a status: " + subject);
    }
  }

  /** {@link #request}, throwing with the status and body unless the status is 2xx. */
  Response expectOk(String method, String path, Map<String, Object> body) throws IOException {
    Response r = request(method, path, body);
    if (!r.ok()) {
      throw new IOException(method + " " + path + " answered " + r.status() + ": " + r.body());
    }
    return r;
  }

  /** {@code PUT /exchanges/X} of a durable exchange of {@code type}. */
  void declareExchange(String name, String type) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", type);
    body.put("durable", true);
    body.put("auto_delete", false);
    body.put("internal", false);
    body.put("arguments", Map.of());
    expectOk("PUT", "/exchanges/" + encodeSegment(name), body);
  }

  /** {@code PUT /queues/Q} of a durable, non-exclusive queue without arguments. */
  void declareQueue(String name) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("durable", true);
    body.put("exclusive", false);
    body.put("auto_delete", false);
    body.put("arguments", Map.of());
    expectOk("PUT", "/queues/" + encodeSegment(name), body);
  }

  /** {@code POST /bindings} of queue {@code queue} to {@code exchange} with {@code key}. */
  void bindQueue(String exchange, String queue, String key) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("source", exchange);
    body.put("destination_queue", queue);
    body.put("binding_key", key);
    body.put("arguments", Map.of());
    expectOk("POST", "/bindings", body);
  }

  void deleteQueue(String name) throws IOException {
    expectOk("DELETE", "/queues/" + encodeSegment(name), null);
  }

  void deleteExchange(String name) throws IOException {
    expectOk("DELETE", "/exchanges/" + encodeSegment(name), null);
  }

  /** RFC 3986 percent-encoding of one path segment: everything but the unreserved characters. */
  static String encodeSegment(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return sb.toString();
  }

  private static byte[] encode(Message m) {
    byte[] buf = new byte[4096];
    while (true) {
      try {
        int n = m.encode(buf, 0, buf.length);
        byte[] exact = new byte[n];
        System.arraycopy(buf, 0, exact, 0, n);
        return exact;
      } catch (BufferOverflowException e) {
        buf = new byte[buf.length * 2];
      }
    }
  }

  /** Whether the broker's attaches carried {@code paired = true}, as a management node's do. */
  private boolean pairedEchoed() {
    Symbol paired = Symbol.valueOf("paired");
    return requests.getRemoteProperties() != null
        && Boolean.TRUE.equals(requests.getRemoteProperties().get(paired))
        && responses.getRemoteProperties() != null
        && Boolean.TRUE.equals(responses.getRemoteProperties().get(paired));
  }

  private static boolean opened(Endpoint e) {
    return e.getRemoteState() == EndpointState.ACTIVE;
  }

  /**
   * Pumps the engine (output, then one read of at most 50 ms) until {@code done} holds; throws if
   * the broker closes the connection or a link, or after {@link #TIMEOUT}.
   */
  private void await(BooleanSupplier done, String what) throws IOException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      flush();
      if (done.getAsBoolean()) {
        return;
      }
      failIfClosed(connection, "the connection", what);
      failIfClosed(requests, "the request link", what);
      failIfClosed(responses, "the response link", what);
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "no answer in "
                + TIMEOUT.toSeconds()
                + " s waiting for "
                + what
                + (pairedEchoed()
                    ? ""
                    : " (the broker's attach did not echo paired=true: no /management node?)"));
      }
      readOnce();
    }
  }

  private void failIfClosed(Endpoint e, String name, String what) throws IOException {
    if (e.getRemoteState() == EndpointState.CLOSED) {
      ErrorCondition c = e.getRemoteCondition();
      throw new IOException(
          "the broker closed "
              + name
              + (e instanceof Link l ? " " + l.getName() : "")
              + " waiting for "
              + what
              + (c == null || c.getCondition() == null
                  ? ""
                  : ": " + c.getCondition() + " " + c.getDescription()));
    }
  }

  private void readOnce() throws IOException {
    int capacity = transport.capacity();
    if (capacity <= 0) {
      throw new IOException("the AMQP transport is closed: " + transport.getCondition());
    }
    int n;
    try {
      n = in.read(readBuffer, 0, Math.min(capacity, readBuffer.length));
    } catch (SocketTimeoutException e) {
      transport.tick(System.currentTimeMillis());
      return;
    }
    if (n < 0) {
      transport.close_tail();
      throw new IOException("the broker closed the socket: " + transport.getCondition());
    }
    transport.tail().put(readBuffer, 0, n);
    transport.process();
  }

  private void flush() throws IOException {
    while (true) {
      int pending = transport.pending();
      if (pending <= 0) {
        break;
      }
      ByteBuffer head = transport.head();
      byte[] bytes = new byte[pending];
      head.get(bytes);
      out.write(bytes);
      transport.pop(pending);
    }
    out.flush();
  }

  @Override
  public void close() {
    try {
      requests.close();
      responses.close();
      connection.close();
      flush();
    } catch (IOException | RuntimeException e) {
      // Closing anyway.
    }
    try {
      socket.close();
    } catch (IOException e) {
      // Already gone.
    }
  }
}
