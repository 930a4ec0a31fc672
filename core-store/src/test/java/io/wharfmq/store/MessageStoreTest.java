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
}
