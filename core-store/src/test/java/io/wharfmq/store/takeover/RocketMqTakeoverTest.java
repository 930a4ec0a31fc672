package io.wharfmq.store.takeover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.store.AppendStatus;
import io.wharfmq.store.ManualClock;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.timer.TimerSettings;
import io.wharfmq.store.tool.StoreTool;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The store's half of taking over an Apache RocketMQ directory, fast and without RocketMQ: commit
 * log, consume queues and index have RocketMQ's layouts, so a directory Wharf wrote whose
 * checkpoint is replaced by RocketMQ's 4 KiB page is what RocketMQ would have left. (The real
 * thing, written by Apache RocketMQ itself: RocketMqDataInPlaceTest in the benchmarks module.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RocketMqTakeoverTest {
  private static final int MESSAGES = 40;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  StoreConfig config() {
    return new StoreConfig(dir)
        .mappedFileSizeCommitLog(64 * 1024)
        .maxMessageSize(16 * 1024)
        .consumeQueueEntriesPerFile(300)
        .maxHashSlotNum(64)
        .maxIndexNum(200);
  }

  TimerSettings timers() {
    return new TimerSettings(dir.resolve("timer"), 10, 1000, 64 * 1024, 1000);
  }

  @BeforeEach
  void writeRocketMqLikeDirectory() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      for (int i = 0; i < MESSAGES; i++) {
        String body = i + " " + "x".repeat(4000);
        MessageToStore m =
            MessageToStore.of(
                "TopicA",
                i % 2,
                body.getBytes(StandardCharsets.UTF_8),
                MessageProperties.encode(Map.of(MessageProperties.KEYS, "k" + i)),
                clock.millis());
        assertThat(store.append(m).get().status()).isEqualTo(AppendStatus.OK);
      }
    }
    ByteBuffer page = ByteBuffer.allocate(RocketMqCheckpoint.SIZE);
    page.putLong(RocketMqCheckpoint.OFF_PHYSIC_MSG_TIMESTAMP, clock.millis());
    page.putLong(RocketMqCheckpoint.OFF_LOGICS_MSG_TIMESTAMP, clock.millis());
    page.putLong(RocketMqCheckpoint.OFF_INDEX_MSG_TIMESTAMP, clock.millis());
    Files.write(dir.resolve("checkpoint"), page.array());
    Files.writeString(dir.resolve("lock"), "lock"); // as RocketMQ leaves it
    assertThat(RocketMqTakeover.isRocketMqDirectory(dir)).isTrue();
  }

  @Test
  void takenOverDirectoryServesEveryMessage() throws Exception {
    byte[] rocketMqCheckpoint = Files.readAllBytes(dir.resolve("checkpoint"));
    RocketMqTakeover takeover = RocketMqTakeover.inspect(config(), timers());
    assertThat(takeover).isNotNull();
    takeover.apply(clock);

    assertThat(RocketMqTakeover.isRocketMqDirectory(dir)).isFalse();
    assertThat(dir.resolve("rocketmq-original/checkpoint")).hasBinaryContent(rocketMqCheckpoint);
    try (MessageStore store = MessageStore.open(config(), clock)) {
      long total = store.maxOffset("TopicA", 0) + store.maxOffset("TopicA", 1);
      assertThat(total).isEqualTo(MESSAGES);
      for (int i = 0; i < MESSAGES; i++) {
        StoredMessage m = store.queryByUniqueKey("TopicA", "k" + i);
        assertThat(m).as("by key k" + i).isNotNull();
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).startsWith(i + " ");
      }
      assertThat(store.append(msg("after")).get().status()).isEqualTo(AppendStatus.OK);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      assertThat(store.maxOffset("TopicA", 0)).isEqualTo(MESSAGES / 2 + 1);
    }
  }

  @Test
  void anUncleanRocketMqStopIsRefusedUnchanged() throws Exception {
    Files.writeString(dir.resolve("abort"), "4242");
    assertRefusedUnchanged("did not shut down cleanly");
  }

  @Test
  void aRunningRocketMqIsRefusedUnchanged() throws Exception {
    try (FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.WRITE);
        FileLock held = ch.lock(0, 1, false)) {
      assertThat(held.isValid()).isTrue();
      assertRefusedUnchanged("is using the directory");
    }
  }

  @Test
  void consumeQueuesBeyondTheLogAreRefusedUnchanged() throws Exception {
    // Only the first segment left: the log now ends before entries the consume queues hold.
    try (Stream<Path> s = Files.list(dir.resolve("commitlog"))) {
      for (Path p : s.sorted().skip(1).toList()) {
        Files.delete(p);
      }
    }
    assertRefusedUnchanged("beyond the end of the commit log");
  }

  @Test
  void openingTheStoreWithoutTakeOverIsRefusedUnchanged() throws Exception {
    Map<String, String> before = snapshot(dir);
    assertThatThrownBy(() -> MessageStore.open(config(), clock).close())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("has not taken over");
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  @Test
  void wharfStoreVerifyChecksARocketMqDirectoryWithoutTakingItOver() throws Exception {
    Map<String, String> before = snapshot(dir);
    StringWriter out = new StringWriter();
    CommandLine cmd = StoreTool.commandLine();
    cmd.setOut(new PrintWriter(out));
    int code = cmd.execute("verify", "--dir", dir.toString(), "--segment-size", "65536");
    assertThat(code).as(out.toString()).isEqualTo(StoreTool.OK);
    assertThat(out.toString()).contains("Apache RocketMQ's").contains("OK: consistent");
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  private void assertRefusedUnchanged(String reason) throws Exception {
    Map<String, String> before = snapshot(dir);
    assertThatThrownBy(() -> RocketMqTakeover.inspect(config(), timers()))
        .isInstanceOf(TakeoverRefusedException.class)
        .hasMessageContaining(reason)
        .hasMessageContaining("nothing in it was changed");
    assertThat(snapshot(dir)).isEqualTo(before);
  }

  private MessageToStore msg(String body) {
    return MessageToStore.of(
        "TopicA", 0, body.getBytes(StandardCharsets.UTF_8), "", clock.millis());
  }

  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir" : sha256(p));
      }
    }
    return out;
  }

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
