package io.wharfmq.amqp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.transport.Open;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * amqpOpenTimeoutMs against a live listener whose idle timeout is off: a peer that connects and
 * stops before its open is closed after the open timeout, with a log line naming it; a peer that
 * opened in time is not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenTimeoutTest {
  static final int OPEN_TIMEOUT = 1000;

  TestListener l;
  Logger badInput = (Logger) LoggerFactory.getLogger("io.wharfmq.amqp.transport.BadInput");
  ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void start() throws Exception {
    logged.start();
    badInput.addAppender(logged);
    l =
        new TestListener(
            TestAttachers.refuseAll(), c -> c.amqpIdleTimeoutMs(0).amqpOpenTimeoutMs(OPEN_TIMEOUT));
  }

  @AfterEach
  void stop() {
    badInput.detachAppender(logged);
    l.close();
  }

  /** Asserts the listener closes {@code r} no sooner than the open timeout, and logs why. */
  void closedAfterTheOpenTimeout(RawAmqp r, long connectedAt, String why) throws Exception {
    assertThat(r.closedByPeer()).as("closed by the listener").isTrue();
    long took = System.nanoTime() - connectedAt;
    assertThat(TimeUnit.NANOSECONDS.toMillis(took)).isGreaterThanOrEqualTo(OPEN_TIMEOUT - 50);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(logged.list)
                    .anySatisfy(
                        e ->
                            assertThat(e.getFormattedMessage())
                                .contains("AMQP peer 127.0.0.1:" + r.localPort())
                                .contains(why)
                                .contains("amqpOpenTimeoutMs=" + OPEN_TIMEOUT)));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(l.listener.connections()).isZero());
  }

  @Test
  void aPeerThatSendsNothingIsClosed() throws Exception {
    long t0 = System.nanoTime();
    try (RawAmqp r = new RawAmqp(l.port(), 5000)) {
      closedAfterTheOpenTimeout(r, t0, "no complete protocol header");
    }
  }

  @Test
  void aPeerThatSendsTheHeaderAndThenNothingIsClosed() throws Exception {
    long t0 = System.nanoTime();
    try (RawAmqp r = new RawAmqp(l.port(), 5000)) {
      r.write(RawAmqp.AMQP_HEADER);
      assertThat(r.readHeader()).isEqualTo(RawAmqp.AMQP_HEADER);
      closedAfterTheOpenTimeout(r, t0, "no open frame");
    }
  }

  @Test
  void aPeerThatStopsInSaslIsClosed() throws Exception {
    long t0 = System.nanoTime();
    try (RawAmqp r = new RawAmqp(l.port(), 5000)) {
      r.write(RawAmqp.SASL_HEADER);
      assertThat(r.readHeader()).isEqualTo(RawAmqp.SASL_HEADER);
      closedAfterTheOpenTimeout(r, t0, "no open frame");
    }
  }

  @Test
  void aPeerThatOpenedInTimeStaysConnected() throws Exception {
    try (RawAmqp r = new RawAmqp(l.port(), 3 * OPEN_TIMEOUT)) {
      r.write(RawAmqp.AMQP_HEADER);
      Open o = new Open();
      o.setContainerId("in-time");
      r.send(0, o);
      r.readHeader();
      r.expect(Open.class);
      assertThat(r.closedByPeer()).as("closed by the listener within 3 s").isFalse();
      assertThat(l.listener.connections()).isEqualTo(1);
    }
  }
}
