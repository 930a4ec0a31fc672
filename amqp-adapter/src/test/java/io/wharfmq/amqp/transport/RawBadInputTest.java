package io.wharfmq.amqp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.jms.Connection;
import jakarta.jms.Session;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.DescribedType;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.Attach;
import org.apache.qpid.proton.amqp.transport.Begin;
import org.apache.qpid.proton.amqp.transport.Close;
import org.apache.qpid.proton.amqp.transport.Detach;
import org.apache.qpid.proton.amqp.transport.End;
import org.apache.qpid.proton.amqp.transport.Open;
import org.apache.qpid.proton.amqp.transport.Role;
import org.apache.qpid.proton.amqp.transport.Transfer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input from raw sockets against a live listener: each case gets the AMQP error the
 * specification names, or Wharf's header and a closed socket, and afterwards a good Qpid JMS client
 * is still served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawBadInputTest {
  static final int MAX_FRAME = 4096;
  static final int MAX_MESSAGE = 2048;

  TestListener l;
  TestAttachers.Sink sink;

  @BeforeEach
  void start() throws Exception {
    sink = new TestAttachers.Sink(0);
    l =
        new TestListener(
            sink,
            c ->
                c.amqpMaxFrameSize(MAX_FRAME)
                    .amqpMaxMessageSize(MAX_MESSAGE)
                    .amqpMaxSessionsPerConnection(2)
                    .amqpIdleTimeoutMs(1000));
  }

  @AfterEach
  void goodClientStillServedThenStop() throws Exception {
    try {
      Connection c = l.qpid("").createConnection();
      c.start();
      c.createSession(false, Session.AUTO_ACKNOWLEDGE).close();
      c.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(l.listener.connections()).isZero());
    } finally {
      l.close();
    }
  }

  RawAmqp raw() throws Exception {
    return new RawAmqp(l.port(), 5000);
  }

  /** Header and open without SASL; returns the listener's open. */
  Open opened(RawAmqp r) throws Exception {
    r.write(RawAmqp.AMQP_HEADER);
    Open o = new Open();
    o.setContainerId("raw");
    r.send(0, o);
    assertThat(r.readHeader()).isEqualTo(RawAmqp.AMQP_HEADER);
    return r.expect(Open.class);
  }

  @Test
  void unsupportedProtocolHeadersGetWharfsHeaderAndAClose() throws Exception {
    byte[][] bad = {
      {'A', 'M', 'Q', 'P', 0, 0, 9, 1}, // AMQP 0-9-1
      {'A', 'M', 'Q', 'P', 2, 1, 0, 0}, // TLS
      {'A', 'M', 'Q', 'P', 0, 1, 0, 1}, // another 1.0 revision
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
    };
    for (byte[] b : bad) {
      try (RawAmqp r = raw()) {
        r.write(b);
        assertThat(r.readHeader()).isEqualTo(RawAmqp.SASL_HEADER);
        assertThat(r.closedByPeer()).isTrue();
      }
    }
  }

  @Test
  void openAnnouncesLimitsCapabilitiesAndIdleTimeout() throws Exception {
    try (RawAmqp r = raw()) {
      Open o = opened(r);
      assertThat(o.getMaxFrameSize()).isEqualTo(UnsignedInteger.valueOf(MAX_FRAME));
      assertThat(o.getChannelMax().intValue()).isEqualTo(1);
      assertThat(o.getIdleTimeOut()).isEqualTo(UnsignedInteger.valueOf(500));
      assertThat(o.getOfferedCapabilities())
          .contains(
              Symbol.valueOf("ANONYMOUS-RELAY"),
              Symbol.valueOf("DELAYED_DELIVERY"),
              Symbol.valueOf("SHARED-SUBS"));
      assertThat(o.getProperties().get(Symbol.valueOf("product"))).isEqualTo("Wharf");
    }
  }

  @Test
  void sessionsOverTheLimitAreEndedWithResourceLimitExceeded() throws Exception {
    try (RawAmqp r = raw()) {
      opened(r);
      for (int ch = 0; ch < 3; ch++) {
        Begin b = new Begin();
        b.setNextOutgoingId(UnsignedInteger.ZERO);
        b.setIncomingWindow(UnsignedInteger.valueOf(100));
        b.setOutgoingWindow(UnsignedInteger.valueOf(100));
        r.send(ch, b);
        r.expect(Begin.class);
      }
      End end = r.expect(End.class);
      assertThat(end.getError().getCondition().toString())
          .isEqualTo("amqp:resource-limit-exceeded");
    }
  }

  @Test
  void oversizedFrameIsAFramingError() throws Exception {
    try (RawAmqp r = raw()) {
      opened(r);
      byte[] big = new byte[MAX_FRAME * 4];
      big[0] = 0x40; // null, then junk: the size alone must be refused
      r.write(RawAmqp.frame(0, 0, big));
      Close c = r.expect(Close.class);
      assertThat(c.getError().getCondition().toString()).isEqualTo("amqp:connection:framing-error");
      assertThat(r.closedByPeer()).isTrue();
    }
  }

  @Test
  void malformedFrameIsADecodeError() throws Exception {
    try (RawAmqp r = raw()) {
      opened(r);
      // A described type whose body is a list declaring more bytes than the frame has.
      r.write(RawAmqp.frame(0, 0, new byte[] {0x00, 0x53, 0x11, (byte) 0xd0, 0, 0, 0x10, 0, 0, 0}));
      Close c = r.expect(Close.class);
      assertThat(c.getError().getCondition().toString()).isEqualTo("amqp:decode-error");
      assertThat(r.closedByPeer()).isTrue();
    }
  }

  @Test
  void frameBeforeOpenIsAnIllegalState() throws Exception {
    try (RawAmqp r = raw()) {
      r.write(RawAmqp.AMQP_HEADER);
      Begin b = new Begin();
      b.setNextOutgoingId(UnsignedInteger.ZERO);
      b.setIncomingWindow(UnsignedInteger.valueOf(100));
      b.setOutgoingWindow(UnsignedInteger.valueOf(100));
      r.send(0, b);
      assertThat(r.readHeader()).isEqualTo(RawAmqp.AMQP_HEADER);
      Close c = r.expect(Close.class);
      assertThat(c.getError().getCondition().toString()).isEqualTo("amqp:illegal-state");
      assertThat(r.closedByPeer()).isTrue();
    }
  }

  @Test
  void unknownPerformativeClosesTheConnection() throws Exception {
    try (RawAmqp r = raw()) {
      opened(r);
      r.send(
          0,
          new DescribedType() {
            @Override
            public Object getDescriptor() {
              return UnsignedLong.valueOf(0x99);
            }

            @Override
            public Object getDescribed() {
              return java.util.List.of("what");
            }
          });
      assertThat(r.closedByPeer()).isTrue();
    }
  }

  /** Begin on channel 0 and attach a sending link (Wharf receives) with handle 0. */
  void senderLink(RawAmqp r) throws Exception {
    opened(r);
    Begin b = new Begin();
    b.setNextOutgoingId(UnsignedInteger.ZERO);
    b.setIncomingWindow(UnsignedInteger.valueOf(100));
    b.setOutgoingWindow(UnsignedInteger.valueOf(100));
    r.send(0, b);
    r.expect(Begin.class);
    r.send(0, attach());
    Attach back = r.expect(Attach.class);
    assertThat(back.getMaxMessageSize()).isEqualTo(UnsignedLong.valueOf(MAX_MESSAGE));
  }

  @Test
  void aLinkDetachedAndAttachedAgainUnderItsNameIsAnsweredEachTime() throws Exception {
    sink.detachOnly = true; // the endpoint answers detach(closed=false) with detach() alone
    try (RawAmqp r = raw()) {
      senderLink(r);
      for (int round = 0; round < 3; round++) {
        Detach d = new Detach();
        d.setHandle(UnsignedInteger.ZERO);
        d.setClosed(false);
        r.send(0, d);
        assertThat(r.expect(Detach.class).getClosed()).isFalse();
        r.send(0, attach());
        assertThat(r.expect(Attach.class).getName()).isEqualTo("raw-sender");
      }
    }
  }

  Attach attach() {
    Attach a = new Attach();
    a.setName("raw-sender");
    a.setHandle(UnsignedInteger.ZERO);
    a.setRole(Role.SENDER);
    a.setInitialDeliveryCount(UnsignedInteger.ZERO);
    Target t = new Target();
    t.setAddress("q");
    a.setTarget(t);
    a.setSource(new org.apache.qpid.proton.amqp.messaging.Source());
    return a;
  }

  Transfer transfer(int id, boolean more) {
    Transfer t = new Transfer();
    t.setHandle(UnsignedInteger.ZERO);
    t.setDeliveryId(UnsignedInteger.valueOf(id));
    t.setDeliveryTag(new Binary(new byte[] {(byte) id}));
    t.setMessageFormat(UnsignedInteger.ZERO);
    t.setMore(more);
    return t;
  }

  @Test
  void transferWithoutCreditDetachesTheLink() throws Exception {
    try (RawAmqp r = raw()) {
      senderLink(r); // the sink grants no credit
      r.send(0, transfer(0, false), new byte[] {0x00, 0x53, 0x77, (byte) 0xa1, 1, 'x'});
      Detach d = r.expect(Detach.class);
      assertThat(d.getClosed()).isTrue();
      assertThat(d.getError().getCondition().toString())
          .isEqualTo("amqp:link:transfer-limit-exceeded");
      await().untilAsserted(() -> assertThat(sink.gone).containsExactly("gone raw-sender"));
      assertThat(sink.messages).isEmpty();
    }
  }

  @Test
  void messageOverMaxMessageSizeDetachesTheLink() throws Exception {
    sink = new TestAttachers.Sink(10);
    l.close();
    l = new TestListener(sink, c -> c.amqpMaxFrameSize(MAX_FRAME).amqpMaxMessageSize(MAX_MESSAGE));
    try (RawAmqp r = raw()) {
      senderLink(r);
      byte[] chunk = new byte[1500];
      r.send(0, transfer(0, true), chunk);
      r.send(0, transfer(0, true), chunk); // 3000 bytes > 2048: refused before the last frame
      Detach d = r.expect(Detach.class);
      assertThat(d.getError().getCondition().toString())
          .isEqualTo("amqp:link:message-size-exceeded");
      assertThat(sink.messages).isEmpty();
    }
  }

  @Test
  void silentPeerIsClosedWithResourceLimitExceededAndHeartbeatsFlow() throws Exception {
    try (RawAmqp r = raw()) {
      r.write(RawAmqp.AMQP_HEADER);
      Open o = new Open();
      o.setContainerId("raw");
      o.setIdleTimeOut(UnsignedInteger.valueOf(200)); // Wharf must send something every 100 ms
      r.send(0, o);
      r.readHeader();
      r.expect(Open.class);
      int empty = 0;
      while (true) {
        RawAmqp.Frame f = r.readFrame();
        if (f.body() == null) {
          empty++;
        } else if (f.body() instanceof Close c) {
          assertThat(c.getError().getCondition().toString())
              .isEqualTo("amqp:resource-limit-exceeded");
          break;
        }
      }
      assertThat(empty).as("empty frames (heartbeats) before the close").isGreaterThan(2);
      assertThat(r.closedByPeer()).isTrue();
    }
  }

  @Test
  void peerThatNeverOpensIsClosed() throws Exception {
    try (RawAmqp r = raw()) {
      r.write(new byte[] {'A', 'M'});
      assertThat(r.closedByPeer()).isTrue();
    }
  }
}
