package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.testing.ByteMutations;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.DescribedType;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.messaging.TerminusDurability;
import org.apache.qpid.proton.amqp.transaction.Coordinator;
import org.apache.qpid.proton.amqp.transaction.Declare;
import org.apache.qpid.proton.amqp.transaction.Declared;
import org.apache.qpid.proton.amqp.transaction.Discharge;
import org.apache.qpid.proton.amqp.transaction.TransactionalState;
import org.apache.qpid.proton.amqp.transaction.TxnCapability;
import org.apache.qpid.proton.amqp.transport.Attach;
import org.apache.qpid.proton.amqp.transport.Begin;
import org.apache.qpid.proton.amqp.transport.Close;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.Detach;
import org.apache.qpid.proton.amqp.transport.Disposition;
import org.apache.qpid.proton.amqp.transport.End;
import org.apache.qpid.proton.amqp.transport.Flow;
import org.apache.qpid.proton.amqp.transport.Open;
import org.apache.qpid.proton.amqp.transport.Role;
import org.apache.qpid.proton.amqp.transport.Transfer;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the whole AMQP link layer, not only the transport: a real Wharf broker in this JVM, its
 * listener with the real {@code AmqpLinkAttacher} over the broker's LocalMessagingService, and a
 * seeded generator of conversations (the seed is printed; rerun one with -Dwharf.fuzz.seed=N, more
 * rounds with -Dwharf.fuzz.rounds=N). Each conversation attaches producers, consumers, browsers,
 * subscriptions (durable, shared, global), dynamic nodes, the anonymous relay and a coordinator,
 * with selector and no-local filters (good, bad and of odd types); sends real messages (with {@code
 * to} and {@code x-opt-jms-dest}), declares and discharges transactions, answers the deliveries it
 * got with every outcome, and detaches. Its first half is read back (delivery and transaction ids
 * feed the second half); either half may be mutated (bit flips, inserted, deleted, duplicated or
 * truncated bytes). Afterwards no connection is left, Wharf logged no error, and Qpid JMS still
 * sends and receives over queues, topics and temporary queues.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AmqpLinkFuzzInteropTest {
  private static final byte[] AMQP_HEADER = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
  private static final byte[] SASL_HEADER = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};
  private static final UnsignedLong SELECTOR = UnsignedLong.valueOf(0x0000468C00000004L);
  private static final UnsignedLong NO_LOCAL = UnsignedLong.valueOf(0x0000468C00000003L);
  private static final String[] SELECTORS = {
    "n > 1", "color = 'red' AND n BETWEEN 1 AND 3", "n >", "x LIKE '%'", "", "JMSPriority > 4"
  };

  @TempDir Path dir;

  private final DecoderImpl decoder = new DecoderImpl();
  private final EncoderImpl encoder = new EncoderImpl(decoder);

  AmqpLinkFuzzInteropTest() {
    AMQPDefinedTypes.registerAllTypes(decoder, encoder);
  }

  @Test
  void randomConversationsNeverBreakTheLinksOrTheBroker() throws Exception {
    long seed = Long.getLong("wharf.fuzz.seed", System.nanoTime());
    int rounds = Integer.getInteger("wharf.fuzz.rounds", 150);
    System.out.println(
        "AmqpLinkFuzzInteropTest seed " + seed + " (-Dwharf.fuzz.seed=" + seed + ")");
    Random rnd = new Random(seed);
    Logger wharfLog = (Logger) LoggerFactory.getLogger("io.wharfmq");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    wharfLog.addAppender(logged);
    try (WharfCluster cluster = new WharfCluster(dir)) {
      Broker b = cluster.startBroker("b1");
      AmqpListener amqp =
          cluster.startAmqp(
              b,
              WharfCluster.amqpConfig()
                  .amqpMaxFrameSize(8192)
                  .amqpMaxMessageSize(65536)
                  .amqpIdleTimeoutMs(2000));
      for (int i = 0; i < rounds; i++) {
        conversation(amqp.port(), rnd, i);
      }
      await("every fuzz connection closed")
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(amqp.connections()).isZero());
      stillServes(amqp.port());
    } finally {
      wharfLog.detachAppender(logged);
    }
    List<String> errors =
        logged.list.stream()
            .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
            .map(
                e ->
                    e.getLoggerName()
                        + ": "
                        + e.getFormattedMessage()
                        + " "
                        + e.getThrowableProxy())
            .toList();
    assertThat(errors).as("errors logged, seed " + seed).isEmpty();
  }

  private void stillServes(int port) throws Exception {
    Connection c = new JmsConnectionFactory("amqp://127.0.0.1:" + port).createConnection();
    try {
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      s.createProducer(s.createQueue("q0")).send(s.createTextMessage("after fuzz"));
      MessageConsumer q = s.createConsumer(s.createQueue("after-fuzz-queue"));
      s.createProducer(s.createQueue("after-fuzz-queue")).send(s.createTextMessage("queued"));
      assertThat(((TextMessage) q.receive(10_000)).getText()).isEqualTo("queued");
      Topic t = s.createTopic("t0");
      MessageConsumer sub = s.createConsumer(t);
      s.createProducer(t).send(s.createTextMessage("published"));
      assertThat(((TextMessage) sub.receive(10_000)).getText()).isEqualTo("published");
      TemporaryQueue reply = s.createTemporaryQueue();
      s.createProducer(reply).send(s.createTextMessage("replied"));
      assertThat(((TextMessage) s.createConsumer(reply).receive(10_000)).getText())
          .isEqualTo("replied");
    } finally {
      c.close();
    }
  }

  // ------------------------------------------------------------------ one conversation

  /** What the broker told us in the first half: delivery ids it sent, transactions declared. */
  private static final class Heard {
    final List<Long> deliveries = new ArrayList<>();
    final List<Binary> transactions = new ArrayList<>();
  }

  private void conversation(int port, Random rnd, int round) throws IOException {
    int links = 1 + rnd.nextInt(5);
    Map<Integer, Boolean> weSend = new HashMap<>(); // handle -> we are the sender
    int coordinator = -1;
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    if (rnd.nextInt(4) == 0) {
      first.writeBytes(SASL_HEADER);
      org.apache.qpid.proton.amqp.security.SaslInit init =
          new org.apache.qpid.proton.amqp.security.SaslInit();
      init.setMechanism(Symbol.valueOf("ANONYMOUS"));
      first.writeBytes(frame(1, encode(init)));
    }
    first.writeBytes(AMQP_HEADER);
    Open open = new Open();
    open.setContainerId("fuzz-" + rnd.nextInt(4));
    first.writeBytes(frame(0, encode(open)));
    Begin begin = new Begin();
    begin.setNextOutgoingId(UnsignedInteger.ZERO);
    begin.setIncomingWindow(UnsignedInteger.valueOf(1000));
    begin.setOutgoingWindow(UnsignedInteger.valueOf(1000));
    first.writeBytes(frame(0, encode(begin)));
    for (int h = 0; h < links; h++) {
      Attach a = attach(rnd, h, round);
      if (a.getTarget() instanceof Coordinator) {
        coordinator = h;
      }
      weSend.put(h, a.getRole() == Role.SENDER);
      first.writeBytes(frame(0, encode(a)));
      if (a.getRole() == Role.RECEIVER) {
        Flow f = new Flow();
        f.setIncomingWindow(UnsignedInteger.valueOf(1000));
        f.setNextIncomingId(UnsignedInteger.ZERO);
        f.setNextOutgoingId(UnsignedInteger.ZERO);
        f.setOutgoingWindow(UnsignedInteger.valueOf(1000));
        f.setHandle(UnsignedInteger.valueOf(h));
        f.setDeliveryCount(UnsignedInteger.ZERO);
        f.setLinkCredit(UnsignedInteger.valueOf(rnd.nextInt(6)));
        f.setDrain(rnd.nextInt(4) == 0);
        first.writeBytes(frame(0, encode(f)));
      }
    }
    long[] deliveryId = {0};
    for (int h = 0; h < links; h++) {
      if (!weSend.get(h)) {
        continue;
      }
      int n = rnd.nextInt(4);
      for (int i = 0; i < n; i++) {
        byte[] payload =
            h == coordinator ? encodeMessage(declare(rnd)) : encodeMessage(message(rnd, round));
        first.writeBytes(transfer(rnd, h, deliveryId[0]++, payload, null));
      }
    }
    byte[] one = maybeMutate(rnd, first.toByteArray());
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(300);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      out.write(one);
      out.flush();
      Heard heard = listen(in, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300));
      byte[] two =
          maybeMutate(rnd, secondHalf(rnd, links, weSend, coordinator, deliveryId, heard, round));
      out.write(two);
      out.flush();
      socket.shutdownOutput();
      socket.setSoTimeout(5000);
      drain(in);
    } catch (IOException e) {
      // the listener may close while our bytes still go out: that is an answer too
    }
  }

  private byte[] secondHalf(
      Random rnd,
      int links,
      Map<Integer, Boolean> weSend,
      int coordinator,
      long[] deliveryId,
      Heard heard,
      int round) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Binary txn =
        heard.transactions.isEmpty()
            ? new Binary(new byte[] {(byte) rnd.nextInt(4)})
            : heard.transactions.get(rnd.nextInt(heard.transactions.size()));
    for (long id : heard.deliveries) {
      if (rnd.nextInt(5) == 0) {
        continue; // left unsettled: given back when the link ends
      }
      Disposition d = new Disposition();
      d.setRole(Role.RECEIVER);
      d.setFirst(UnsignedInteger.valueOf(id));
      if (rnd.nextInt(6) == 0) {
        d.setLast(UnsignedInteger.valueOf(id + rnd.nextInt(3)));
      }
      d.setSettled(rnd.nextInt(5) != 0);
      d.setState(outcome(rnd, txn));
      out.writeBytes(frame(0, encode(d)));
    }
    for (int h = 0; h < links; h++) {
      if (weSend.get(h) && rnd.nextBoolean()) {
        byte[] payload =
            h == coordinator
                ? encodeMessage(discharge(txn, rnd.nextBoolean()))
                : encodeMessage(message(rnd, round));
        TransactionalState ts = null;
        if (h != coordinator && rnd.nextInt(3) == 0) {
          ts = new TransactionalState();
          ts.setTxnId(txn);
        }
        out.writeBytes(transfer(rnd, h, deliveryId[0]++, payload, ts));
      }
    }
    for (int h = 0; h < links; h++) {
      if (rnd.nextInt(4) != 0) {
        Detach detach = new Detach();
        detach.setHandle(UnsignedInteger.valueOf(h));
        detach.setClosed(rnd.nextBoolean());
        out.writeBytes(frame(0, encode(detach)));
      }
    }
    if (rnd.nextInt(3) != 0) {
      out.writeBytes(frame(0, encode(new End())));
      out.writeBytes(frame(0, encode(new Close())));
    }
    return out.toByteArray();
  }

  private static DeliveryState outcome(Random rnd, Binary txn) {
    DeliveryState plain =
        switch (rnd.nextInt(5)) {
          case 0 -> Accepted.getInstance();
          case 1 -> Released.getInstance();
          case 2 -> new Rejected();
          case 3 -> {
            Modified m = new Modified();
            m.setDeliveryFailed(rnd.nextBoolean());
            m.setUndeliverableHere(rnd.nextBoolean());
            yield m;
          }
          default -> null;
        };
    if (rnd.nextInt(4) == 0) {
      TransactionalState ts = new TransactionalState();
      ts.setTxnId(txn);
      ts.setOutcome((org.apache.qpid.proton.amqp.messaging.Outcome) plain);
      return ts;
    }
    return plain;
  }

  private Attach attach(Random rnd, int handle, int round) {
    Attach a = new Attach();
    a.setName("fuzz-link-" + rnd.nextInt(4) + (rnd.nextBoolean() ? "|global" : ""));
    a.setHandle(UnsignedInteger.valueOf(handle));
    a.setInitialDeliveryCount(UnsignedInteger.ZERO);
    boolean weSend = rnd.nextBoolean();
    a.setRole(weSend ? Role.SENDER : Role.RECEIVER);
    if (weSend) {
      a.setSource(new Source());
      switch (rnd.nextInt(6)) {
        case 0 -> {
          Coordinator c = new Coordinator();
          c.setCapabilities(TxnCapability.LOCAL_TXN);
          a.setTarget(c);
        }
        case 1 -> a.setTarget(new Target()); // the anonymous relay
        case 2 -> {
          Target t = new Target();
          t.setDynamic(true);
          t.setCapabilities(capabilities(rnd));
          a.setTarget(t);
        }
        default -> {
          Target t = new Target();
          t.setAddress(address(rnd, round));
          t.setCapabilities(capabilities(rnd));
          a.setTarget(t);
        }
      }
      if (rnd.nextInt(4) == 0) {
        a.setSndSettleMode(org.apache.qpid.proton.amqp.transport.SenderSettleMode.SETTLED);
      }
    } else {
      a.setTarget(new Target());
      if (rnd.nextInt(8) != 0) { // no source at all: a durable subscription lookup
        Source s = new Source();
        if (rnd.nextInt(6) == 0) {
          s.setDynamic(true);
        } else {
          s.setAddress(address(rnd, round));
        }
        s.setCapabilities(capabilities(rnd));
        if (rnd.nextInt(3) == 0) {
          s.setDurable(TerminusDurability.UNSETTLED_STATE);
        }
        if (rnd.nextInt(5) == 0) {
          s.setDistributionMode(Symbol.valueOf("copy"));
        }
        s.setFilter(filters(rnd));
        a.setSource(s);
      }
      if (rnd.nextInt(4) == 0) {
        a.setSndSettleMode(org.apache.qpid.proton.amqp.transport.SenderSettleMode.SETTLED);
      }
    }
    return a;
  }

  private static String address(Random rnd, int round) {
    return switch (rnd.nextInt(8)) {
      case 0 -> "q" + rnd.nextInt(3);
      case 1 -> "/queues/q" + rnd.nextInt(3);
      case 2 -> "t" + rnd.nextInt(2);
      case 3 -> "temp-queue-" + rnd.nextInt(2);
      case 4 -> "temp-topic-" + rnd.nextInt(2);
      case 5 -> "/queues/%zz" + rnd.nextInt(2);
      case 6 -> "x".repeat(1 + rnd.nextInt(300));
      default -> "round" + round % 7 + "/é";
    };
  }

  private static Symbol[] capabilities(Random rnd) {
    String[] all = {"queue", "topic", "temporary-queue", "temporary-topic", "shared", "global"};
    List<Symbol> out = new ArrayList<>();
    for (String c : all) {
      if (rnd.nextInt(4) == 0) {
        out.add(Symbol.valueOf(c));
      }
    }
    return out.isEmpty() && rnd.nextBoolean() ? null : out.toArray(new Symbol[0]);
  }

  private static Map<Symbol, Object> filters(Random rnd) {
    Map<Symbol, Object> f = new HashMap<>();
    if (rnd.nextInt(3) == 0) {
      Object selector =
          switch (rnd.nextInt(4)) {
            case 0 -> 42; // not a string
            case 1 -> null;
            default -> SELECTORS[rnd.nextInt(SELECTORS.length)];
          };
      Object descriptor =
          rnd.nextBoolean() ? SELECTOR : Symbol.valueOf("apache.org:selector-filter:string");
      f.put(Symbol.valueOf("jms-selector"), described(descriptor, selector));
    }
    if (rnd.nextInt(4) == 0) {
      f.put(Symbol.valueOf("no-local"), described(NO_LOCAL, List.of()));
    }
    if (rnd.nextInt(6) == 0) {
      f.put(Symbol.valueOf("odd"), "not described");
    }
    return f.isEmpty() ? null : f;
  }

  private static DescribedType described(Object descriptor, Object value) {
    return new DescribedType() {
      @Override
      public Object getDescriptor() {
        return descriptor;
      }

      @Override
      public Object getDescribed() {
        return value;
      }
    };
  }

  private static Message message(Random rnd, int round) {
    Message m = Message.Factory.create();
    Properties p = new Properties();
    if (rnd.nextBoolean()) {
      p.setTo(address(rnd, round));
    }
    m.setProperties(p);
    if (rnd.nextBoolean()) {
      Map<Symbol, Object> ann = new HashMap<>();
      ann.put(Symbol.valueOf("x-opt-jms-dest"), (byte) rnd.nextInt(5));
      if (rnd.nextInt(4) == 0) {
        ann.put(Symbol.valueOf("x-opt-delivery-delay"), (long) rnd.nextInt(200));
      }
      m.setMessageAnnotations(new org.apache.qpid.proton.amqp.messaging.MessageAnnotations(ann));
    }
    Map<String, Object> props = new HashMap<>();
    props.put("n", rnd.nextInt(5));
    props.put("color", rnd.nextBoolean() ? "red" : "blue");
    m.setApplicationProperties(new ApplicationProperties(props));
    m.setBody(new AmqpValue("fuzz " + rnd.nextInt(1000)));
    if (rnd.nextInt(5) == 0) {
      m.setTtl(1 + rnd.nextInt(50));
    }
    return m;
  }

  private static Message declare(Random rnd) {
    Message m = Message.Factory.create();
    m.setBody(new AmqpValue(rnd.nextInt(5) == 0 ? "not a declare" : new Declare()));
    return m;
  }

  private static Message discharge(Binary txn, boolean fail) {
    Discharge d = new Discharge();
    d.setTxnId(txn);
    d.setFail(fail);
    Message m = Message.Factory.create();
    m.setBody(new AmqpValue(d));
    return m;
  }

  // ------------------------------------------------------------------ bytes

  private Heard listen(DataInputStream in, long deadlineNanos) {
    Heard heard = new Heard();
    try {
      byte[] header = new byte[8];
      in.readFully(header);
      if (header[4] == 3) {
        return heard; // SASL: the outcome and the AMQP header follow; not worth decoding here
      }
      while (System.nanoTime() - deadlineNanos < 0) {
        int size = in.readInt();
        int doff = in.readUnsignedByte() * 4;
        in.readUnsignedByte();
        in.readUnsignedShort();
        if (size < doff || doff < 8 || size > 1 << 20) {
          return heard;
        }
        in.skipNBytes(doff - 8);
        byte[] body = new byte[size - doff];
        in.readFully(body);
        if (body.length == 0) {
          continue;
        }
        decoder.setByteBuffer(ByteBuffer.wrap(body));
        Object performative = decoder.readObject();
        if (performative instanceof Transfer t && t.getDeliveryId() != null) {
          heard.deliveries.add(t.getDeliveryId().longValue());
        } else if (performative instanceof Disposition d && d.getState() instanceof Declared x) {
          heard.transactions.add(x.getTxnId());
        }
      }
    } catch (SocketTimeoutException e) {
      // nothing more for now
    } catch (IOException | RuntimeException e) {
      // closed, or bytes our decoder does not follow: the second half goes anyway
    }
    return heard;
  }

  private static void drain(DataInputStream in) throws IOException {
    byte[] b = new byte[8192];
    try {
      while (in.read(b) >= 0) {
        // read until the listener closes
      }
    } catch (SocketTimeoutException e) {
      // the listener keeps it open: the idle timeout ends it; the test waits for that at the end
    }
  }

  private byte[] transfer(
      Random rnd, int handle, long deliveryId, byte[] payload, TransactionalState state) {
    Transfer tr = new Transfer();
    tr.setHandle(UnsignedInteger.valueOf(handle));
    tr.setDeliveryId(UnsignedInteger.valueOf(deliveryId));
    tr.setDeliveryTag(new Binary(new byte[] {(byte) deliveryId, (byte) handle}));
    tr.setMessageFormat(UnsignedInteger.ZERO);
    tr.setSettled(rnd.nextInt(4) == 0);
    tr.setState(state);
    if (payload.length > 8 && rnd.nextInt(5) == 0) {
      int cut = 1 + rnd.nextInt(payload.length - 1);
      tr.setMore(true);
      byte[] a = withPayload(encode(tr), Arrays.copyOf(payload, cut));
      Transfer rest = new Transfer();
      rest.setHandle(UnsignedInteger.valueOf(handle));
      rest.setMore(false);
      byte[] b = withPayload(encode(rest), Arrays.copyOfRange(payload, cut, payload.length));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(frame(0, a));
      out.writeBytes(frame(0, b));
      return out.toByteArray();
    }
    return frame(0, withPayload(encode(tr), payload));
  }

  private static byte[] withPayload(byte[] performative, byte[] payload) {
    byte[] all = Arrays.copyOf(performative, performative.length + payload.length);
    System.arraycopy(payload, 0, all, performative.length, payload.length);
    return all;
  }

  private byte[] encode(Object value) {
    ByteBuffer b = ByteBuffer.allocate(1 << 16);
    encoder.setByteBuffer(b);
    encoder.writeObject(value);
    return Arrays.copyOf(b.array(), b.position());
  }

  private static byte[] encodeMessage(Message m) {
    byte[] b = new byte[1 << 16];
    int n = m.encode(b, 0, b.length);
    return Arrays.copyOf(b, n);
  }

  private static byte[] frame(int type, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(8 + body.length);
    b.putInt(8 + body.length).put((byte) 2).put((byte) type).putShort((short) 0).put(body);
    return b.array();
  }

  private static byte[] maybeMutate(Random rnd, byte[] in) {
    int times = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 0;
    byte[] out = in;
    for (int i = 0; i < times; i++) {
      out = ByteMutations.mutate(rnd, out);
    }
    return out;
  }
}
