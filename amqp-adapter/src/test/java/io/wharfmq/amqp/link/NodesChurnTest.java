package io.wharfmq.amqp.link;

import static io.wharfmq.amqp.link.AmqpClient.receiver;
import static io.wharfmq.amqp.link.AmqpClient.source;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Receiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The listener-wide node state does not grow with the churn of subscribers and temporaries. */
@Timeout(value = 60, unit = SECONDS)
class NodesChurnTest {
  private final InMemoryMessagingService service = new InMemoryMessagingService();
  private final AmqpLinkAttacher attacher = new AmqpLinkAttacher(1 << 20);
  private final EngineHarness h = new EngineHarness(service, attacher);

  @AfterEach
  void close() {
    h.close();
    service.close();
  }

  @Test
  void subscriberAndTemporaryQueueChurnLeavesNoGroupState() {
    EngineHarness.Pair p = h.connect("app");
    for (int i = 0; i < 20; i++) {
      Source temp = new Source();
      temp.setDynamic(true);
      temp.setCapabilities(Terminus.TEMP_QUEUE);
      for (Source src : new Source[] {source("news", Terminus.TOPIC), temp}) {
        String name = "churn-" + i + "-" + src.getDynamic();
        Receiver r = h.call(() -> receiver(p.session, name, src));
        await()
            .atMost(10, SECONDS)
            .until(() -> h.call(() -> r.getRemoteState() == EndpointState.ACTIVE));
        h.run(r::close);
        await()
            .atMost(10, SECONDS)
            .until(() -> h.call(() -> r.getRemoteState() == EndpointState.CLOSED));
      }
    }
    assertThat(attacher.nodes().trackedGroups())
        .as("groups with a generation after every subscriber and temporary queue ended")
        .isZero();
  }
}
