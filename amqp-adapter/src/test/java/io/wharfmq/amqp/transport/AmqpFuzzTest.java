package io.wharfmq.amqp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wharfmq.testing.ByteMutations;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.Attach;
import org.apache.qpid.proton.amqp.transport.Begin;
import org.apache.qpid.proton.amqp.transport.Close;
import org.apache.qpid.proton.amqp.transport.Detach;
import org.apache.qpid.proton.amqp.transport.Disposition;
import org.apache.qpid.proton.amqp.transport.End;
import org.apache.qpid.proton.amqp.transport.Flow;
import org.apache.qpid.proton.amqp.transport.Open;
import org.apache.qpid.proton.amqp.transport.Role;
import org.apache.qpid.proton.amqp.transport.Transfer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Feeds a live listener random and mutated frames from a seeded generator (the seed is printed;
 * rerun one with -Dwharf.fuzz.seed=N, more rounds with -Dwharf.fuzz.rounds=N). Afterwards no
 * connection may be left open, the transport may have logged no internal error (an exception of its
 * own code, which a peer's bytes must never cause), and a good Qpid JMS client is served.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AmqpFuzzTest {
  @Test
  void randomAndMutatedFramesNeverBreakTheListener() throws Exception {
    long seed = Long.getLong("wharf.fuzz.seed", System.nanoTime());
    int rounds = Integer.getInteger("wharf.fuzz.rounds", 300);
    System.out.println("AmqpFuzzTest seed " + seed + " (-Dwharf.fuzz.seed=" + seed + ")");
    Random rnd = new Random(seed);
    Logger transportLog = (Logger) LoggerFactory.getLogger("io.wharfmq.amqp");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    transportLog.addAppender(logged);
    TestAttachers.Sink sink = new TestAttachers.Sink(5);
    try (TestListener l =
        new TestListener(
            sink, c -> c.amqpMaxFrameSize(8192).amqpMaxMessageSize(4096).amqpIdleTimeoutMs(2000))) {
      for (int i = 0; i < rounds; i++) {
        byte[] input = input(rnd, new RawAmqp.Codec());
        try (RawAmqp r = new RawAmqp(l.port(), 30)) {
          r.write(input);
          r.closedByPeer();
        } catch (IOException e) {
          // the listener may close while the bytes are still going out: that is an answer too
        }
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(l.listener.connections()).isZero());
      Connection c = l.qpid("").createConnection();
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      s.createProducer(s.createQueue("after-fuzz")).send(s.createTextMessage("still serving"));
      c.close();
    } finally {
      transportLog.detachAppender(logged);
    }
    List<String> errors =
        logged.list.stream()
            .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
            .map(e -> e.getFormattedMessage() + " " + e.getThrowableProxy())
            .toList();
    assertThat(errors).as("internal errors, seed " + seed).isEmpty();
  }

  /** One connection's bytes: a mutated valid session, random frames, or random bytes. */
  static byte[] input(Random rnd, RawAmqp.Codec codec) {
    byte[] valid = validConversation(rnd, codec);
    return switch (rnd.nextInt(4)) {
      case 0 -> ByteMutations.mutate(rnd, valid);
      case 1 ->
          ByteMutations.mutate(rnd, ByteMutations.mutate(rnd, ByteMutations.mutate(rnd, valid)));
      case 2 -> randomFrames(rnd, codec);
      default -> {
        byte[] b = new byte[rnd.nextInt(200)];
        rnd.nextBytes(b);
        if (rnd.nextBoolean() && b.length >= 8) {
          System.arraycopy(RawAmqp.AMQP_HEADER, 0, b, 0, 8);
        }
        yield b;
      }
    };
  }

  static byte[] validConversation(Random rnd, RawAmqp.Codec codec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean sasl = rnd.nextBoolean();
    if (sasl) {
      out.writeBytes(RawAmqp.SASL_HEADER);
      org.apache.qpid.proton.amqp.security.SaslInit init =
          new org.apache.qpid.proton.amqp.security.SaslInit();
      init.setMechanism(Symbol.valueOf("ANONYMOUS"));
      out.writeBytes(RawAmqp.frame(1, 0, codec.encode(init)));
    }
    out.writeBytes(RawAmqp.AMQP_HEADER);
    Open open = new Open();
    open.setContainerId("fuzz-" + rnd.nextInt(5));
    if (rnd.nextBoolean()) {
      open.setDesiredCapabilities(OpenHandshake.SOLE_CONNECTION);
    }
    if (rnd.nextBoolean()) {
      open.setHostname(rnd.nextBoolean() ? "vhost:v" + rnd.nextInt(3) : "vhost:");
    }
    out.writeBytes(frame(codec, open));
    Begin begin = new Begin();
    begin.setNextOutgoingId(UnsignedInteger.ZERO);
    begin.setIncomingWindow(UnsignedInteger.valueOf(rnd.nextInt(10)));
    begin.setOutgoingWindow(UnsignedInteger.valueOf(100));
    out.writeBytes(frame(codec, begin));
    Attach attach = new Attach();
    attach.setName("link-" + rnd.nextInt(3));
    attach.setHandle(UnsignedInteger.valueOf(rnd.nextInt(2)));
    attach.setRole(rnd.nextBoolean() ? Role.SENDER : Role.RECEIVER);
    attach.setInitialDeliveryCount(UnsignedInteger.ZERO);
    Target t = new Target();
    t.setAddress("q" + rnd.nextInt(3));
    attach.setTarget(t);
    attach.setSource(new Source());
    out.writeBytes(frame(codec, attach));
    Flow flow = new Flow();
    flow.setIncomingWindow(UnsignedInteger.valueOf(100));
    flow.setNextOutgoingId(UnsignedInteger.ZERO);
    flow.setOutgoingWindow(UnsignedInteger.valueOf(100));
    flow.setHandle(UnsignedInteger.ZERO);
    flow.setLinkCredit(UnsignedInteger.valueOf(rnd.nextInt(5)));
    flow.setDeliveryCount(UnsignedInteger.ZERO);
    out.writeBytes(frame(codec, flow));
    int transfers = rnd.nextInt(4);
    for (int i = 0; i < transfers; i++) {
      Transfer tr = new Transfer();
      tr.setHandle(UnsignedInteger.ZERO);
      tr.setDeliveryId(UnsignedInteger.valueOf(i));
      tr.setDeliveryTag(new Binary(new byte[] {(byte) i}));
      tr.setMessageFormat(UnsignedInteger.ZERO);
      tr.setMore(rnd.nextInt(4) == 0);
      tr.setSettled(rnd.nextBoolean());
      byte[] payload = new byte[rnd.nextInt(3000)];
      rnd.nextBytes(payload);
      byte[] body = codec.encode(tr);
      byte[] all = java.util.Arrays.copyOf(body, body.length + payload.length);
      System.arraycopy(payload, 0, all, body.length, payload.length);
      out.writeBytes(RawAmqp.frame(0, 0, all));
    }
    Disposition d = new Disposition();
    d.setRole(Role.RECEIVER);
    d.setFirst(UnsignedInteger.ZERO);
    d.setSettled(true);
    d.setState(Accepted.getInstance());
    out.writeBytes(frame(codec, d));
    Detach detach = new Detach();
    detach.setHandle(UnsignedInteger.ZERO);
    detach.setClosed(rnd.nextBoolean());
    out.writeBytes(frame(codec, detach));
    out.writeBytes(frame(codec, new End()));
    out.writeBytes(frame(codec, new Close()));
    return out.toByteArray();
  }

  private static byte[] frame(RawAmqp.Codec codec, Object performative) {
    return RawAmqp.frame(0, 0, codec.encode(performative));
  }

  static byte[] randomFrames(Random rnd, RawAmqp.Codec codec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(RawAmqp.AMQP_HEADER);
    Open open = new Open();
    open.setContainerId("fuzz");
    out.writeBytes(frame(codec, open));
    int n = 1 + rnd.nextInt(10);
    for (int i = 0; i < n; i++) {
      byte[] body = new byte[rnd.nextInt(64)];
      rnd.nextBytes(body);
      if (body.length > 3 && rnd.nextBoolean()) {
        body[0] = 0x00; // a described type with a small-ulong descriptor, often a performative's
        body[1] = 0x53;
        body[2] = (byte) (0x10 + rnd.nextInt(0x20));
      }
      out.writeBytes(RawAmqp.frame(rnd.nextInt(8) == 0 ? 1 : 0, rnd.nextInt(4), body));
    }
    return out.toByteArray();
  }
}
