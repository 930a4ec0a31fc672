package io.wharfmq.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageStoreTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  StoreConfig config() {
    return new StoreConfig(dir)
        .mappedFileSizeCommitLog(64 * 1024)
        .maxMessageSize(16 * 1024)
        .consumeQueueEntriesPerFile(50)
        .maxHashSlotNum(64)
        .maxIndexNum(200);
  }

  static MessageToStore msg(String topic, int queueId, String body, String tag, String keys) {
    Map<String, String> props = new LinkedHashMap<>();
    if (tag != null) {
      props.put(MessageProperties.TAGS, tag);
    }
    if (keys != null) {
      props.put(MessageProperties.KEYS, keys);
    }
    return MessageToStore.of(
        topic,
        queueId,
        body.getBytes(StandardCharsets.UTF_8),
        MessageProperties.encode(props),
        1_700_000_000_000L);
  }

  static String body(StoredBytes b) {
    return new String(StoredMessage.decode(b.buffer(), 0).body(), StandardCharsets.UTF_8);
  }

  @Test
  void appendThenReadByOffsetAndQueue() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      AppendResult r = store.append(msg("TopicA", 1, "hello", "TagA", "k1 k2")).get();
      assertThat(r.status()).isEqualTo(AppendStatus.OK);
      assertThat(r.queueOffset()).isZero();
      StoredMessage m = store.readMessage(r.physicalOffset());
      assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
      assertThat(m.topic()).isEqualTo("TopicA");
      assertThat(m.queueId()).isEqualTo(1);
      assertThat(m.physicalOffset()).isEqualTo(r.physicalOffset());
      assertThat(m.storeTimestamp()).isEqualTo(clock.millis());
      assertThat(m.propertyMap()).containsEntry("TAGS", "TagA");
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      assertThat(store.maxOffset("TopicA", 1)).isEqualTo(1);
      try (GetMessageResult got = store.getMessages("TopicA", 1, 0, 10, MessageFilter.ALL)) {
        assertThat(got.status()).isEqualTo(GetMessageResult.Status.FOUND);
        assertThat(got.messages()).hasSize(1);
        assertThat(body(got.messages().get(0))).isEqualTo("hello");
        assertThat(got.nextBeginOffset()).isEqualTo(1);
      }
    }
  }

  @Test
  void segmentsRollOverWithBlankMarkerAndRecordsNeverSpanSegments() throws Exception {
    List<AppendResult> results = new ArrayList<>();
    try (MessageStore store = MessageStore.open(config(), clock)) {
      for (int i = 0; i < 300; i++) {
        results.add(store.append(msg("T", 0, "m" + i + "-" + "x".repeat(900), null, null)).get());
      }
      for (AppendResult r : results) {
        assertThat(r.isOk()).isTrue();
        long segStart = r.physicalOffset() / (64 * 1024);
        long segEnd = (r.endOffset() - 1) / (64 * 1024);
        assertThat(segEnd).isEqualTo(segStart);
      }
      for (int i = 0; i < 300; i++) {
        StoredMessage m = store.readMessage(results.get(i).physicalOffset());
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).startsWith("m" + i + "-");
        assertThat(m.queueOffset()).isEqualTo(i);
      }
    }
    try (Stream<Path> files = Files.list(dir.resolve("commitlog"))) {
      assertThat(files.count()).isGreaterThanOrEqualTo(4);
    }
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertThat(store.maxOffset("T", 0)).isEqualTo(300);
      try (GetMessageResult got = store.getMessages("T", 0, 290, 32, MessageFilter.ALL)) {
        assertThat(got.messages()).hasSize(10);
        assertThat(body(got.messages().get(0))).startsWith("m290-");
      }
      AppendResult next = store.append(msg("T", 0, "after", null, null)).get();
      assertThat(next.queueOffset()).isEqualTo(300);
    }
  }

  @Test
  void batchAppendIsContiguousWithConsecutiveQueueOffsets() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      store.append(msg("T", 0, "first", null, null)).get();
      List<MessageToStore> batch = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        batch.add(msg("T", 0, "b" + i, "TagA", null));
      }
      AppendResult r = store.appendBatch(batch).get();
      assertThat(r.isOk()).isTrue();
      assertThat(r.queueOffset()).isEqualTo(1);
      assertThat(r.physicalOffsets()).hasSize(5);
      for (int i = 1; i < 5; i++) {
        assertThat(r.physicalOffsets()[i]).isEqualTo(r.physicalOffsets()[i - 1] + r.sizes()[i - 1]);
        assertThat(store.readMessage(r.physicalOffsets()[i]).queueOffset()).isEqualTo(1 + i);
      }
    }
  }

  @Test
  void batchReadFiltersByTagAndHonoursLimits() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      String[] tags = {"TagA", "TagB", "TagC", null};
      for (int i = 0; i < 40; i++) {
        store.append(msg("T", 2, "m" + i, tags[i % 4], null)).get();
      }
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      try (GetMessageResult got =
          store.getMessages("T", 2, 0, 100, MessageFilter.byTags(List.of("TagA", "TagC")))) {
        assertThat(got.status()).isEqualTo(GetMessageResult.Status.FOUND);
        assertThat(got.messages()).hasSize(20);
        for (StoredBytes b : got.messages()) {
          String tag = StoredMessage.decode(b.buffer(), 0).propertyMap().get("TAGS");
          assertThat(tag).isIn("TagA", "TagC");
        }
        assertThat(got.nextBeginOffset()).isEqualTo(40);
      }
      try (GetMessageResult got = store.getMessages("T", 2, 5, 3, MessageFilter.ALL)) {
        assertThat(got.messages())
            .extracting(MessageStoreTest::body)
            .containsExactly("m5", "m6", "m7");
        assertThat(got.nextBeginOffset()).isEqualTo(8);
        assertThat(got.minOffset()).isZero();
        assertThat(got.maxOffset()).isEqualTo(40);
      }
      try (GetMessageResult got =
          store.getMessages("T", 2, 3, 10, MessageFilter.byTags(List.of("NoSuchTag")))) {
        assertThat(got.status()).isEqualTo(GetMessageResult.Status.NO_MATCHED_MESSAGE);
        assertThat(got.nextBeginOffset()).isGreaterThan(3);
      }
      assertThat(store.getMessages("T", 2, 40, 10, MessageFilter.ALL).status())
          .isEqualTo(GetMessageResult.Status.OFFSET_OVERFLOW_ONE);
      assertThat(store.getMessages("T", 2, 41, 10, MessageFilter.ALL).status())
          .isEqualTo(GetMessageResult.Status.OFFSET_OVERFLOW_BADLY);
      assertThat(store.getMessages("Nope", 0, 0, 10, MessageFilter.ALL).status())
          .isEqualTo(GetMessageResult.Status.NO_MESSAGE_IN_QUEUE);
    }
  }

  @Test
  void consumeQueuesAndIndexAreRebuiltFromTheLogWhenDeleted() throws Exception {
    List<AppendResult> results = new ArrayList<>();
    try (MessageStore store = MessageStore.open(config(), clock)) {
      for (int i = 0; i < 200; i++) {
        results.add(
            store
                .append(
                    msg(
                        "Topic" + (i % 3),
                        i % 2,
                        "m" + i + "x".repeat(500),
                        "T" + (i % 5),
                        "key" + i))
                .get());
      }
    }
    deleteRecursively(dir.resolve("consumequeue"));
    deleteRecursively(dir.resolve("index"));
    try (MessageStore store = MessageStore.open(config(), clock)) {
      for (int t = 0; t < 3; t++) {
        for (int q = 0; q < 2; q++) {
          long expected = 0;
          for (int i = 0; i < 200; i++) {
            if (i % 3 == t && i % 2 == q) {
              expected++;
            }
          }
          assertThat(store.maxOffset("Topic" + t, q)).isEqualTo(expected);
        }
      }
      try (GetMessageResult got = store.getMessages("Topic0", 0, 0, 1, MessageFilter.ALL)) {
        assertThat(body(got.messages().get(0))).startsWith("m0x");
      }
      List<StoredMessage> found = store.queryByKey("Topic1", "key7", 10, 0, Long.MAX_VALUE);
      assertThat(found).hasSize(1);
      assertThat(found.get(0).physicalOffset()).isEqualTo(results.get(7).physicalOffset());
      long before = store.maxOffset("Topic0", 0);
      AppendResult next = store.append(msg("Topic0", 0, "again", null, null)).get();
      assertThat(next.queueOffset()).isEqualTo(before);
    }
  }

  @Test
  void queryByKeyAndUniqueKeyWithinTimeRange() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      long t0 = clock.millis();
      Map<String, String> props = new LinkedHashMap<>();
      props.put("UNIQ_KEY", "AC11000100002A9F0000000000000001");
      props.put("KEYS", "order-1 customer-9");
      MessageToStore m =
          MessageToStore.of(
              "Orders",
              0,
              "o1".getBytes(StandardCharsets.UTF_8),
              MessageProperties.encode(props),
              t0);
      AppendResult r1 = store.append(m).get();
      clock.advance(10_000);
      AppendResult r2 = store.append(msg("Orders", 1, "o2", null, "order-2 customer-9")).get();
      store.append(msg("Other", 0, "x", null, "customer-9")).get();
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();

      assertThat(store.queryByKey("Orders", "customer-9", 10, 0, Long.MAX_VALUE))
          .extracting(StoredMessage::physicalOffset)
          .containsExactly(r2.physicalOffset(), r1.physicalOffset());
      assertThat(store.queryByKey("Orders", "customer-9", 10, t0 + 5_000, Long.MAX_VALUE))
          .extracting(StoredMessage::physicalOffset)
          .containsExactly(r2.physicalOffset());
      assertThat(store.queryByKey("Orders", "customer-", 10, 0, Long.MAX_VALUE)).isEmpty();
      StoredMessage byId = store.queryByUniqueKey("Orders", "AC11000100002A9F0000000000000001");
      assertThat(byId.physicalOffset()).isEqualTo(r1.physicalOffset());
      assertThat(store.queryByUniqueKey("Other", "AC11000100002A9F0000000000000001")).isNull();
    }
  }

  @Test
  void findsFirstOffsetAtOrAfterATimestamp() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      long t0 = clock.millis();
      for (int i = 0; i < 50; i++) {
        store.append(msg("T", 0, "m" + i, null, null)).get();
        clock.advance(1000);
      }
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      assertThat(store.offsetForTimestamp("T", 0, t0 - 1)).isZero();
      assertThat(store.offsetForTimestamp("T", 0, t0)).isZero();
      assertThat(store.offsetForTimestamp("T", 0, t0 + 17_000)).isEqualTo(17);
      assertThat(store.offsetForTimestamp("T", 0, t0 + 17_001)).isEqualTo(18);
      assertThat(store.offsetForTimestamp("T", 0, t0 + 1_000_000)).isEqualTo(50);
      assertThat(store.earliestStoreTime("T", 0)).isEqualTo(t0);
    }
  }

  @Test
  void rejectsBadMessagesWithAStatusAndKeepsServing() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertThat(store.append(msg("bad/topic", 0, "x", null, null)).get().status())
          .isEqualTo(AppendStatus.TOPIC_INVALID);
      assertThat(store.append(msg("..", 0, "x", null, null)).get().status())
          .isEqualTo(AppendStatus.TOPIC_INVALID);
      assertThat(store.append(msg("T", 0, "x".repeat(16 * 1024 + 1), null, null)).get().status())
          .isEqualTo(AppendStatus.MESSAGE_TOO_LARGE);
      assertThat(store.append(msg("T", 0, "x", "p".repeat(40_000), null)).get().status())
          .isEqualTo(AppendStatus.PROPERTIES_TOO_LARGE);
      List<MessageToStore> huge = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        huge.add(msg("T", 0, "x".repeat(15_000), null, null));
      }
      assertThat(store.appendBatch(huge).get().status()).isEqualTo(AppendStatus.MESSAGE_TOO_LARGE);
      AppendResult ok = store.append(msg("T", 0, "fine", null, null)).get();
      assertThat(ok.isOk()).isTrue();
      assertThat(ok.queueOffset()).isZero();
    }
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertThat(store.append(msg("T", 0, "later", null, null)).get().status())
          .isEqualTo(AppendStatus.OK);
    }
  }

  @Test
  void concurrentAppendersGetUniqueConsecutiveQueueOffsets() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      int threads = 4;
      int perThread = 500;
      List<Thread> workers = new ArrayList<>();
      List<Long> offsets = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    offsets.add(
                        store.append(msg("T", 0, id + "-" + i, null, null)).join().queueOffset());
                  }
                }));
      }
      workers.forEach(Thread::start);
      for (Thread w : workers) {
        w.join();
      }
      assertThat(offsets).doesNotHaveDuplicates().hasSize(threads * perThread);
      assertThat(java.util.Collections.max(offsets)).isEqualTo(threads * perThread - 1L);
    }
  }

  @Test
  void invalidConfigurationIsRejectedWithEveryProblemNamed() {
    StoreConfig bad =
        new StoreConfig(dir).mappedFileSizeCommitLog(1000).deleteWhen(25).diskMaxUsedSpaceRatio(99);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MessageStore.open(bad, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mappedFileSizeCommitLog")
        .hasMessageContaining("deleteWhen")
        .hasMessageContaining("diskMaxUsedSpaceRatio");
  }

  @Test
  void secondProcessCannotOpenTheSameDirectory() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertThat(store.commitLogMaxOffset()).isZero();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MessageStore.open(config(), clock))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("in use by another process");
    }
  }

  @Test
  void topicCheckAcceptsExactlyTheDocumentedPattern() {
    java.util.regex.Pattern pattern =
        java.util.regex.Pattern.compile("(?!\\.{1,2}$)[%|a-zA-Z0-9_.-]{1,255}");
    List<String> topics =
        new ArrayList<>(
            List.of(
                "",
                ".",
                "..",
                "...",
                "a",
                "T%|_.-9",
                "a b",
                "a\n",
                ".\n",
                "ä",
                "a".repeat(255),
                "a".repeat(256)));
    java.util.Random random = new java.util.Random(42);
    String alphabet = "aZ09%|_.-/ \n\u00e9:";
    for (int i = 0; i < 20_000; i++) {
      char[] chars = new char[random.nextInt(4)];
      for (int j = 0; j < chars.length; j++) {
        chars[j] = alphabet.charAt(random.nextInt(alphabet.length()));
      }
      topics.add(new String(chars));
    }
    for (String t : topics) {
      assertThat(MessageStore.isValidTopic(t))
          .as("topic '%s'", t)
          .isEqualTo(pattern.matcher(t).matches());
    }
  }

  static void deleteRecursively(Path p) throws java.io.IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
