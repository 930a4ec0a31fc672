package io.wharfmq.broker.pop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.offset.ConsumerOffsetManager;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageToStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based test of {@link PopService} on a real store with a hand-moved clock: random pops, acks
 * (current and stale handles), invisibility changes, time steps, offset persists and restarts
 * (store closed and reopened, pop state replayed from the pop log with whatever replay start and
 * offsets were persisted last), checked against a simple model after every step. The seed is in
 * every failure message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PopServiceModelTest {
  static final String GROUP = "g";
  static final String TOPIC = "T";
  static final int QUEUES = 2;
  static final int PER_QUEUE = 60;

  @TempDir Path dir;

  /** A clock the test moves. */
  static final class TestClock implements InstantSource {
    long millis = 1_700_000_000_000L;

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  /** The model's view of one message. */
  static final class Expected {
    boolean acked;
    long deadline = Long.MIN_VALUE; // visible once now >= deadline
    long popTime = -1;
    long previousPopTime = -1; // of the delivery (or change) before the current one
    int deliveries;
  }

  private final TestClock clock = new TestClock();
  private BrokerConfig config;
  private MessageStore store;
  private ConsumerOffsetManager offsets;
  private PopService pops;

  /** Small store files and a group limit the tests never reach. */
  private void openWithSmallFiles() throws Exception {
    config = new BrokerConfig(dir).maxReconsumeTimes(1000);
    config.store().mappedFileSizeCommitLog(4 * 1024 * 1024).maxMessageSize(64 * 1024);
    config.store().maxHashSlotNum(100).maxIndexNum(400);
    open();
  }

  private void open() throws Exception {
    store = MessageStore.open(config.store(), clock);
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
    Path configDir = dir.resolve("config");
    offsets = new ConsumerOffsetManager(configDir);
    offsets.load();
    TopicConfigManager topics = new TopicConfigManager(configDir, clock);
    topics.load(true, 4);
    InetSocketAddress host = new InetSocketAddress("127.0.0.1", 10911);
    pops =
        new PopService(
            config,
            group -> config.maxReconsumeTimes(),
            store,
            offsets,
            clock,
            new PopLog(store, offsets, clock, host),
            new PopDeadLetters(store, topics, () -> {}, host));
    pops.load();
  }

  @Test
  void popStateMatchesTheModelAcrossRestarts() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    openWithSmallFiles();
    Map<String, Expected> model = new HashMap<>();
    for (int q = 0; q < QUEUES; q++) {
      for (int i = 0; i < PER_QUEUE; i++) {
        store.append(MessageToStore.of(TOPIC, q, new byte[] {1}, "", clock.millis())).join();
        model.put(q + "@" + i, new Expected());
      }
    }
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
    Map<String, PopService.Delivered> held = new HashMap<>();
    int[] all = {0, 1};
    String why = "seed " + seed;
    for (int step = 0; step < 600; step++) {
      int op = random.nextInt(100);
      if (op < 35) {
        long invisible = 1 + random.nextInt(2000);
        PopService.PopResult r =
            pops.pop(
                    GROUP,
                    TOPIC,
                    all,
                    1 + random.nextInt(8),
                    invisible,
                    MessageFilter.ALL,
                    PopService.INIT_MODE_MIN)
                .join();
        for (PopService.Delivered d : r.messages()) {
          String key = d.queueId() + "@" + d.offset();
          Expected e = model.get(key);
          assertThat(e.acked).as("%s: %s delivered after its ack", why, key).isFalse();
          assertThat(clock.millis())
              .as("%s: %s delivered while invisible", why, key)
              .isGreaterThanOrEqualTo(e.deadline);
          assertThat(d.reconsumeTimes())
              .as("%s: %s reconsumeTimes", why, key)
              .isEqualTo(e.deliveries);
          e.deliveries++;
          e.previousPopTime = e.popTime;
          e.popTime = r.popTime();
          e.deadline = r.popTime() + invisible;
          held.put(key, d);
        }
      } else if (op < 50 && !held.isEmpty()) {
        // Several acks of one queue at once (one pop-log record), some stale, one maybe twice.
        List<String> keys = new ArrayList<>(held.keySet());
        int queueId = held.get(keys.get(random.nextInt(keys.size()))).queueId();
        keys.removeIf(k -> held.get(k).queueId() != queueId);
        Collections.shuffle(keys, random);
        List<String> batch = new ArrayList<>(keys.subList(0, 1 + random.nextInt(keys.size())));
        if (random.nextBoolean()) {
          batch.add(batch.get(0));
        }
        long[] offsets = new long[batch.size()];
        long[] handles = new long[batch.size()];
        boolean[] stale = new boolean[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
          Expected e = model.get(batch.get(i));
          stale[i] = i < batch.size() - 1 && random.nextInt(5) == 0;
          offsets[i] = held.get(batch.get(i)).offset();
          handles[i] = stale[i] ? e.popTime - 1 : e.popTime;
        }
        List<PopService.Outcome> outcomes =
            pops.ackAll(GROUP, TOPIC, queueId, offsets, handles).join();
        assertThat(outcomes).hasSize(batch.size());
        for (int i = 0; i < batch.size(); i++) {
          String key = batch.get(i);
          Expected e = model.get(key);
          if (stale[i] && !e.acked && clock.millis() < e.deadline) {
            assertThat(outcomes.get(i))
                .as("%s: stale batch ack of %s", why, key)
                .isEqualTo(PopService.Outcome.STALE_HANDLE);
          } else {
            assertThat(outcomes.get(i))
                .as("%s: batch ack of %s", why, key)
                .isEqualTo(PopService.Outcome.OK);
            e.acked = true;
            held.remove(key);
          }
        }
      } else if (op < 65 && !held.isEmpty()) {
        String key = anyKey(held, random);
        Expected e = model.get(key);
        boolean stale = random.nextInt(5) == 0;
        // A stale handle: the previous delivery's (often of the same ms: releases and pops happen
        // between clock steps), or one that never was.
        long handle =
            stale ? (e.previousPopTime >= 0 ? e.previousPopTime : e.popTime - 1) : e.popTime;
        PopService.Outcome o =
            pops.ack(GROUP, TOPIC, held.get(key).queueId(), held.get(key).offset(), handle).join();
        if (stale && clock.millis() < e.deadline) {
          assertThat(o)
              .as("%s: stale ack of %s", why, key)
              .isEqualTo(PopService.Outcome.STALE_HANDLE);
        } else {
          assertThat(o).as("%s: ack of %s", why, key).isEqualTo(PopService.Outcome.OK);
          e.acked = true;
          held.remove(key);
        }
      } else if (op < 72 && !held.isEmpty()) {
        String key = anyKey(held, random);
        Expected e = model.get(key);
        long invisible = random.nextInt(1500) + 1;
        PopService.Change c =
            pops.changeInvisibleTime(
                    GROUP,
                    TOPIC,
                    held.get(key).queueId(),
                    held.get(key).offset(),
                    e.popTime,
                    invisible)
                .join();
        assertThat(c.outcome()).as("%s: change of %s", why, key).isEqualTo(PopService.Outcome.OK);
        e.previousPopTime = e.popTime;
        e.popTime = c.popTime();
        e.deadline = c.popTime() + invisible;
      } else if (op < 78 && !held.isEmpty()) {
        String key = anyKey(held, random);
        Expected e = model.get(key);
        boolean countDelivery = random.nextBoolean();
        PopService.Delivered d = held.get(key);
        PopService.Outcome o =
            pops.release(GROUP, TOPIC, d.queueId(), d.offset(), e.popTime, countDelivery).join();
        assertThat(o).as("%s: release of %s", why, key).isEqualTo(PopService.Outcome.OK);
        e.deadline = clock.millis();
        if (!countDelivery) {
          e.deliveries--;
        }
      } else if (op < 90) {
        clock.millis += random.nextInt(700);
      } else if (op < 96) {
        pops.checkpoint();
        offsets.persist();
      } else {
        // Restart: whatever replay start and offsets were persisted last are what the new
        // broker finds (as after a crash between persists); the log itself is intact.
        store.close();
        open();
      }
    }
    // Drain: everything not acknowledged comes back once visible; ack it all.
    clock.millis += 10_000;
    for (int round = 0; round < 50 && model.values().stream().anyMatch(e -> !e.acked); round++) {
      PopService.PopResult r =
          pops.pop(GROUP, TOPIC, all, 32, 60_000, MessageFilter.ALL, PopService.INIT_MODE_MIN)
              .join();
      for (PopService.Delivered d : r.messages()) {
        String key = d.queueId() + "@" + d.offset();
        assertThat(model.get(key).acked).as("%s: %s delivered after its ack", why, key).isFalse();
        assertThat(pops.ack(GROUP, TOPIC, d.queueId(), d.offset(), r.popTime()).join())
            .isEqualTo(PopService.Outcome.OK);
        model.get(key).acked = true;
      }
    }
    assertThat(model.values()).as(why).allSatisfy(e -> assertThat(e.acked).isTrue());
    for (int q = 0; q < QUEUES; q++) {
      assertThat(pops.inFlight(GROUP, TOPIC, q)).isZero();
    }
    pops.checkpoint();
    assertThat(offsets.query(GROUP, TOPIC, 0)).isEqualTo(PER_QUEUE);
    store.close();
  }

  private static String anyKey(Map<String, PopService.Delivered> held, Random random) {
    List<String> keys = new ArrayList<>(held.keySet());
    return keys.get(random.nextInt(keys.size()));
  }

  @Test
  void deliveriesFromBeforeARestartReturnAtOnceWhenAskedEachOnce() throws Exception {
    openWithSmallFiles();
    for (int i = 0; i < 3; i++) {
      store.append(MessageToStore.of(TOPIC, 0, new byte[] {1}, "", clock.millis())).join();
    }
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
    int[] q0 = {0};
    assertThat(
            pops.pop(GROUP, TOPIC, q0, 2, 60_000, MessageFilter.ALL, PopService.INIT_MODE_MIN)
                .join()
                .messages())
        .hasSize(2);
    store.close();
    open();
    // popped after the restart: not returned (its holder is alive)
    PopService.PopResult third =
        pops.pop(GROUP, TOPIC, q0, 1, 60_000, MessageFilter.ALL, PopService.INIT_MODE_MIN).join();
    assertThat(third.messages()).extracting(PopService.Delivered::offset).containsExactly(2L);
    assertThat(pops.returnFromBeforeStart("other-group")).isZero();

    assertThat(pops.returnFromBeforeStart(GROUP)).isEqualTo(2);

    PopService.PopResult again =
        pops.pop(GROUP, TOPIC, q0, 8, 60_000, MessageFilter.ALL, PopService.INIT_MODE_MIN).join();
    assertThat(again.messages()).extracting(PopService.Delivered::offset).containsExactly(0L, 1L);
    assertThat(again.messages()).allSatisfy(d -> assertThat(d.reconsumeTimes()).isEqualTo(1));
    // each once: the redelivered ones are held by a live receiver now
    assertThat(pops.returnFromBeforeStart(GROUP)).isZero();
    assertThat(
            pops.pop(GROUP, TOPIC, q0, 8, 60_000, MessageFilter.ALL, PopService.INIT_MODE_MIN)
                .join()
                .messages())
        .isEmpty();
    store.close();
  }

  @Test
  void aReceiptNamesOneDeliveryEvenWithinOneMillisecond() throws Exception {
    openWithSmallFiles();
    store.append(MessageToStore.of(TOPIC, 0, new byte[] {1}, "", clock.millis())).join();
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
    int[] q0 = {0};
    long frozen = clock.millis(); // the clock does not move in this test

    PopService.PopResult first =
        pops.pop(GROUP, TOPIC, q0, 1, 60_000, MessageFilter.ALL, PopService.INIT_MODE_MIN).join();
    assertThat(first.messages()).extracting(PopService.Delivered::offset).containsExactly(0L);
    assertThat(pops.release(GROUP, TOPIC, 0, 0, first.popTime(), false).join())
        .isEqualTo(PopService.Outcome.OK);
    PopService.PopResult second =
        pops.pop(GROUP, TOPIC, q0, 1, 60_000, MessageFilter.ALL, PopService.INIT_MODE_MIN).join();
    assertThat(second.messages()).extracting(PopService.Delivered::offset).containsExactly(0L);
    assertThat(second.popTime()).isGreaterThan(first.popTime());

    // The first receipt names the first delivery only: it neither acks, changes nor releases the
    // second, also after a restart (the pop log keeps the popTimes).
    for (int restart = 0; restart < 2; restart++) {
      assertThat(pops.ack(GROUP, TOPIC, 0, 0, first.popTime()).join())
          .isEqualTo(PopService.Outcome.STALE_HANDLE);
      assertThat(pops.changeInvisibleTime(GROUP, TOPIC, 0, 0, first.popTime(), 1).join().outcome())
          .isEqualTo(PopService.Outcome.STALE_HANDLE);
      assertThat(pops.release(GROUP, TOPIC, 0, 0, first.popTime(), true).join())
          .isEqualTo(PopService.Outcome.STALE_HANDLE);
      assertThat(pops.inFlight(GROUP, TOPIC, 0)).isEqualTo(1);
      pops.checkpoint();
      offsets.persist();
      store.close();
      open();
    }

    // A change in the same millisecond gives a new handle and retires the one it replaces.
    PopService.Change changed =
        pops.changeInvisibleTime(GROUP, TOPIC, 0, 0, second.popTime(), 60_000).join();
    assertThat(changed.outcome()).isEqualTo(PopService.Outcome.OK);
    assertThat(changed.popTime()).isGreaterThan(second.popTime());
    assertThat(pops.ack(GROUP, TOPIC, 0, 0, second.popTime()).join())
        .isEqualTo(PopService.Outcome.STALE_HANDLE);
    assertThat(pops.ack(GROUP, TOPIC, 0, 0, changed.popTime()).join())
        .isEqualTo(PopService.Outcome.OK);
    assertThat(pops.inFlight(GROUP, TOPIC, 0)).isZero();
    assertThat(clock.millis()).isEqualTo(frozen);
    store.close();
  }
}
