package io.wharfmq.amqp.link;

import io.wharfmq.amqp.transport.AmqpSession;
import io.wharfmq.amqp.transport.LinkAttacher;
import io.wharfmq.amqp.transport.LinkEndpoint;
import io.wharfmq.service.MessagingService;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

/**
 * Two real proton-j engines, a client and a server, joined by an in-memory byte pipe and driven on
 * one thread, with the server side dispatching to a {@link LinkAttacher} the way the listener does
 * (the transport is not the subject here; the AMQP frames between the engines are real). Tests act
 * on the client engine through {@link #call}, which runs on that thread and then pumps until both
 * sides are quiet.
 */
final class EngineHarness implements AutoCloseable {
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "amqp-test-connection"));
  final MessagingService service;
  final LinkAttacher attacher;
  private final List<Pair> pairs = new ArrayList<>();
  private int connections;

  EngineHarness(MessagingService service, LinkAttacher attacher) {
    this.service = service;
    this.attacher = attacher;
  }

  /** A complete received message on a client receiver. */
  record Got(Delivery delivery, Message message, int size) {}

  /** One client connection to the server side, opened with one session. */
  final class Pair implements AmqpSession {
    final Connection server = Connection.Factory.create();
    final Connection client = Connection.Factory.create();
    final Transport st = Transport.Factory.create();
    final Transport ct = Transport.Factory.create();
    final Collector scol = Proton.collector();
    final Collector ccol = Proton.collector();
    final String connectionId;
    final String vhost;
    Session session;
    final List<Runnable> onClose = new ArrayList<>();
    final Map<Receiver, List<Got>> received = new HashMap<>();
    private final Map<Receiver, byte[]> partial = new HashMap<>();

    Pair(String containerId, String vhost, int maxFrame) {
      this.connectionId = "c" + (++connections);
      this.vhost = vhost;
      st.setMaxFrameSize(maxFrame);
      ct.setMaxFrameSize(maxFrame);
      st.bind(server);
      ct.bind(client);
      server.collect(scol);
      client.collect(ccol);
      server.setContainer("wharf");
      client.setContainer(containerId);
      client.open();
      session = client.session();
      session.open();
    }

    @Override
    public String containerId() {
      return client.getContainer();
    }

    @Override
    public String vhost() {
      return vhost;
    }

    @Override
    public String user() {
      return null;
    }

    @Override
    public String peer() {
      return "/127.0.0.1:40000";
    }

    @Override
    public String connectionId() {
      return connectionId;
    }

    @Override
    public MessagingService service() {
      return service;
    }

    @Override
    public Executor executor() {
      return task ->
          thread.execute(
              () -> {
                task.run();
                pump();
              });
    }

    @Override
    public void onClose(Runnable action) {
      onClose.add(action);
    }

    boolean pumpOnce() {
      boolean moved = move(ct, st) | move(st, ct);
      Event e;
      while ((e = scol.peek()) != null) {
        moved = true;
        serverEvent(e);
        scol.pop();
      }
      while ((e = ccol.peek()) != null) {
        moved = true;
        clientEvent(e);
        ccol.pop();
      }
      return moved;
    }

    private boolean move(Transport from, Transport to) {
      int pending = from.pending();
      if (pending <= 0) {
        return false;
      }
      ByteBuffer head = from.head();
      ByteBuffer tail = to.tail();
      int n = Math.min(pending, tail.remaining());
      if (n <= 0) {
        return false;
      }
      ByteBuffer slice = head.duplicate();
      slice.limit(slice.position() + n);
      tail.put(slice);
      to.process();
      from.pop(n);
      return true;
    }

    private void serverEvent(Event e) {
      switch (e.getType()) {
        case CONNECTION_REMOTE_OPEN -> server.open();
        case SESSION_REMOTE_OPEN -> e.getSession().open();
        case LINK_REMOTE_OPEN -> attacher.onRemoteAttach(this, e.getLink());
        case LINK_FLOW -> endpoint(e.getLink(), ep -> ep.onFlow(e.getLink()));
        case DELIVERY -> endpoint(e.getLink(), ep -> ep.onDelivery(e.getDelivery()));
        case LINK_REMOTE_DETACH ->
            endpoint(e.getLink(), ep -> ep.onRemoteDetach(e.getLink(), false));
        case LINK_REMOTE_CLOSE -> {
          Link l = e.getLink();
          if (l.getContext() instanceof LinkEndpoint ep) {
            ep.onRemoteDetach(l, true);
          } else if (l.getLocalState() != EndpointState.CLOSED) {
            l.close();
          }
        }
        case SESSION_REMOTE_CLOSE -> {
          goneLinks(e.getSession());
          e.getSession().close();
        }
        case CONNECTION_REMOTE_CLOSE -> {
          goneLinks(null);
          onClose.forEach(Runnable::run);
          server.close();
        }
        default -> {}
      }
    }

    private void goneLinks(Session s) {
      Link l = server.linkHead(null, null);
      while (l != null) {
        if ((s == null || l.getSession() == s)
            && l.getLocalState() != EndpointState.CLOSED
            && l.getContext() instanceof LinkEndpoint ep) {
          ep.onTransportGone();
          l.setContext(null);
        }
        l = l.next(null, null);
      }
    }

    private void endpoint(Link link, java.util.function.Consumer<LinkEndpoint> f) {
      if (link != null && link.getContext() instanceof LinkEndpoint ep) {
        f.accept(ep);
      }
    }

    private void clientEvent(Event e) {
      if (e.getType() != Event.Type.DELIVERY || !(e.getLink() instanceof Receiver r)) {
        return;
      }
      Delivery d = e.getDelivery();
      if (!d.isReadable()) {
        return;
      }
      int n = d.available();
      byte[] before = partial.getOrDefault(r, new byte[0]);
      byte[] all = java.util.Arrays.copyOf(before, before.length + n);
      r.recv(all, before.length, n);
      if (d.isPartial()) {
        partial.put(r, all);
        return;
      }
      partial.remove(r);
      r.advance();
      Message m = Message.Factory.create();
      m.decode(all, 0, all.length);
      received.computeIfAbsent(r, k -> new ArrayList<>()).add(new Got(d, m, all.length));
    }

    List<Got> got(Receiver r) {
      return received.getOrDefault(r, List.of());
    }
  }

  Pair connect(String containerId) {
    return connect(containerId, "/", 64 * 1024);
  }

  Pair connect(String containerId, String vhost, int maxFrame) {
    return call(
        () -> {
          Pair p = new Pair(containerId, vhost, maxFrame);
          pairs.add(p);
          return p;
        });
  }

  /** Runs on the connection thread, then pumps all connections until quiet. */
  <T> T call(Callable<T> action) {
    Future<T> f =
        thread.submit(
            () -> {
              T v = action.call();
              pump();
              return v;
            });
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  void run(Runnable action) {
    call(
        () -> {
          action.run();
          return null;
        });
  }

  private void pump() {
    boolean moved = true;
    while (moved) {
      moved = false;
      for (Pair p : List.copyOf(pairs)) {
        moved |= p.pumpOnce();
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
