package io.wharfmq.amqp.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.service.MessagingService;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ProducerFlow}'s rules with a clock moved by hand: only groups with attached links count,
 * the largest of their backlogs holds, a consumer that made no progress for {@link
 * ProducerFlow#ACTIVE_MILLIS} holds nothing, the marks are the high mark and its half, and the
 * counts go when the links do. The service's backlog figure is a table (the figure itself is the
 * broker's, tested there through the interop test).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProducerFlowTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Map<String, Long> backlogs = new ConcurrentHashMap<>();
  private final MessagingService service =
      (MessagingService)
          Proxy.newProxyInstance(
              MessagingService.class.getClassLoader(),
              new Class<?>[] {MessagingService.class},
              (proxy, method, args) -> {
                if (method.getName().equals("readyBacklog")) {
                  return backlogs.getOrDefault(args[0] + "@" + args[1], -1L);
                }
                throw new UnsupportedOperationException(method.getName());
              });
  private final ProducerFlow flow = new ProducerFlow(1000, now::get);

  @Test
  void onlyActiveAttachedConsumersHoldAndTheLargestBacklogCounts() {
    backlogs.put("q-group@T", 1500L);
    backlogs.put("sub@T", 4000L);
    assertThat(flow.backlog(service, "T")).as("no consumer attached").isEqualTo(-1);

    flow.attached("T", "q-group");
    assertThat(flow.backlog(service, "T")).isEqualTo(1500);
    flow.attached("T", "sub");
    assertThat(flow.backlog(service, "T")).isEqualTo(4000);
    assertThat(flow.holds(1001)).isTrue();
    assertThat(flow.holds(1000)).isFalse();
    assertThat(flow.releases(501)).isFalse();
    assertThat(flow.releases(500)).isTrue();
    assertThat(flow.releases(-1)).isTrue();

    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ProducerFlow.ACTIVE_MILLIS + 1));
    assertThat(flow.backlog(service, "T")).as("consumers idle for a second").isEqualTo(-1);
    flow.progressed("T");
    assertThat(flow.backlog(service, "T")).isEqualTo(4000);

    flow.detached("T", "sub");
    assertThat(flow.backlog(service, "T")).isEqualTo(1500);
    flow.attached("T", "q-group");
    flow.detached("T", "q-group");
    assertThat(flow.backlog(service, "T")).as("one of two links left").isEqualTo(1500);
    flow.detached("T", "q-group");
    assertThat(flow.backlog(service, "T")).isEqualTo(-1);
    assertThat(flow.trackedTopics()).isZero();
    flow.progressed("T");
    assertThat(flow.trackedTopics()).isZero();
  }

  @Test
  void aHighMarkOfZeroTurnsItOff() {
    ProducerFlow off = new ProducerFlow(0, now::get);
    backlogs.put("g@T", 1_000_000L);
    off.attached("T", "g");
    assertThat(off.enabled()).isFalse();
    assertThat(off.holds(off.backlog(service, "T"))).isFalse();
    assertThat(off.trackedTopics()).isZero();
  }
}
