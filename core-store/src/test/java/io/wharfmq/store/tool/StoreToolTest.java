package io.wharfmq.store.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.ManualClock;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.queue.ConsumeQueueLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreToolTest {
  static final int SEGMENT_SIZE = 64 * 1024;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  /**
   * Appended records: TopicA/0 gets 120 records of ~1 KiB (two segments and a bit), TopicB/3 five.
   */
  final List<AppendResult> topicA = new ArrayList<>();

  final List<AppendResult> topicB = new ArrayList<>();

  StoreConfig config() {
    return new StoreConfig(dir)
        .mappedFileSizeCommitLog(SEGMENT_SIZE)
        .maxMessageSize(16 * 1024)
        .consumeQueueEntriesPerFile(50)
        .maxHashSlotNum(64)
        .maxIndexNum(200);
  }

  static MessageToStore msg(String topic, int queueId, String body) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put(MessageProperties.TAGS, "TagA");
    props.put(MessageProperties.KEYS, "k1 k2");
    return MessageToStore.of(
        topic,
        queueId,
        body.getBytes(StandardCharsets.UTF_8),
        MessageProperties.encode(props),
        1_700_000_000_000L);
  }

  @BeforeEach
  void writeStore() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      for (int i = 0; i < 120; i++) {
        topicA.add(store.append(msg("TopicA", 0, "a" + i + "-" + "x".repeat(1000))).get());
        if (i % 30 == 0) {
          topicB.add(store.append(msg("TopicB", 3, "hello-b" + i)).get());
        }
        clock.advance(1);
      }
    }
  }

  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = StoreTool.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  Run verify() {
    return run("verify", "--dir", dir.toString(), "--segment-size", "" + SEGMENT_SIZE);
  }

  @Test
  void dumpShowsEveryRecordAndTheBlankMarkers() {
    Run r = run("dump", "--dir", dir.toString(), "--body-preview", "8");

    assertThat(r.exitCode()).as(r.err()).isZero();
    List<String> records = r.out().lines().filter(l -> l.contains(" topic=")).toList();
    assertThat(records).hasSize(topicA.size() + topicB.size());
    assertThat(records.get(0))
        .startsWith("offset=0 size=" + topicA.get(0).sizes()[0] + " magic=v1 topic=TopicA")
        .contains(" queueId=0 queueOffset=0 ")
        .contains(" storeTimestamp=2023-11-14T22:13:20Z ")
        .contains(" storeHost=127.0.0.1:0 ")
        .contains(" crc=ok ")
        .contains("properties=\"TAGS=TagA;KEYS=k1 k2;\"")
        .endsWith("body=\"a0-xxxxx...\"");
    assertThat(r.out()).contains("BLANK (end-of-segment marker)");
    assertThat(r.out().lines().filter(l -> l.contains("BLANK"))).hasSize(2);
  }

  @Test
  void dumpFiltersByTopicAndStartsAtAnOffsetWithALimit() {
    Run byTopic = run("dump", "--dir", dir.toString(), "--topic", "TopicB");
    assertThat(byTopic.out().lines().filter(l -> l.contains(" topic="))).hasSize(topicB.size());
    assertThat(byTopic.out()).doesNotContain("topic=TopicA");

    long from = topicA.get(70).physicalOffset();
    Run fromOffset = run("dump", "--dir", dir.toString(), "--from", "" + from, "--limit", "2");
    List<String> lines = fromOffset.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("offset=" + from + " ").contains("queueOffset=70 ");
  }

  @Test
  void verifyPassesOnACleanStore() {
    Run r = verify();

    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("abort marker: absent")
        .contains("checkpoint: commitLogFlushedOffset=" + topicA.get(119).endOffset())
        .contains("consume queue TopicA/0: 120 written entries")
        .contains("consume queue TopicB/3: 4 written entries")
        .contains("OK: consistent")
        .doesNotContain("PROBLEM");
  }

  @Test
  void verifyDetectsTheSegmentSizeWhenNotGiven() {
    Run r = run("verify", "--dir", dir.toString());

    assertThat(r.exitCode()).as(r.out()).isZero();
    assertThat(r.out()).contains("segment size " + SEGMENT_SIZE);
  }

  @Test
  void aFlippedBodyByteIsReportedWithItsOffsetAndCrc() throws Exception {
    long offset = topicA.get(10).physicalOffset();
    long bodyAt = offset + MessageRecordLayout.bodyLengthOffset(0) + 4 + 5;
    flipByte(segmentOf(offset), (int) (bodyAt % SEGMENT_SIZE));

    Run r = verify();

    assertThat(r.exitCode()).as(r.out()).isEqualTo(StoreTool.PROBLEMS);
    assertThat(r.out())
        .containsPattern("PROBLEM commit log offset " + offset + " .*invalid record: body CRC");
    Run dump = run("dump", "--dir", dir.toString(), "--from", "" + offset, "--limit", "1");
    assertThat(dump.out()).startsWith("offset=" + offset + " ").contains(" crc=BAD ");
  }

  @Test
  void aHugeBodyLengthIsAnInvalidRecordNotACrash() throws Exception {
    long offset = topicA.get(10).physicalOffset();
    long lengthAt = offset + MessageRecordLayout.bodyLengthOffset(0);
    try (FileChannel ch = FileChannel.open(segmentOf(offset), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4).putInt(0, 0x7FFFFFF0), lengthAt % SEGMENT_SIZE);
    }

    Run r = verify();

    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(StoreTool.PROBLEMS);
    assertThat(r.out())
        .contains(
            "PROBLEM commit log offset "
                + offset
                + " (segment 00000000000000000000): invalid record: body length 2147483632");
  }

  @Test
  void aBadConsumeQueueEntryIsReported() throws Exception {
    // Entry 1 of TopicA/0 made to point at record 0: wrong QUEUEOFFSET and out of order.
    Path cqFile =
        dir.resolve("consumequeue").resolve("TopicA").resolve("0").resolve(FileNames.offsetName(0));
    ByteBuffer entry = ByteBuffer.allocate(8).putLong(0, topicA.get(0).physicalOffset());
    try (FileChannel ch = FileChannel.open(cqFile, StandardOpenOption.WRITE)) {
      ch.write(entry, ConsumeQueueLayout.ENTRY_SIZE + ConsumeQueueLayout.PHYSICAL_OFFSET);
    }

    Run r = verify();

    assertThat(r.exitCode()).as(r.out()).isEqualTo(StoreTool.PROBLEMS);
    assertThat(r.out())
        .contains("PROBLEM consume queue TopicA/0 entry 1 -> offset 0: not after the previous")
        .contains("PROBLEM consume queue TopicA/0 entry 1 -> offset 0: the record there has")
        .contains("QUEUEOFFSET 0");
  }

  @Test
  void anEntryPastTheEndOfTheLogIsReported() throws Exception {
    Path cqFile =
        dir.resolve("consumequeue").resolve("TopicB").resolve("3").resolve(FileNames.offsetName(0));
    long end = topicA.get(119).endOffset();
    ByteBuffer entry =
        ByteBuffer.allocate(ConsumeQueueLayout.ENTRY_SIZE)
            .putLong(ConsumeQueueLayout.PHYSICAL_OFFSET, end + 1000)
            .putInt(ConsumeQueueLayout.SIZE, 100);
    try (FileChannel ch = FileChannel.open(cqFile, StandardOpenOption.WRITE)) {
      ch.write(entry, 4L * ConsumeQueueLayout.ENTRY_SIZE);
    }

    Run r = verify();

    assertThat(r.exitCode()).isEqualTo(StoreTool.PROBLEMS);
    assertThat(r.out())
        .contains(
            "PROBLEM consume queue TopicB/3 1 entries between 4 and 4 point past the end of the"
                + " valid log at "
                + end);
  }

  @Test
  void cqPrintsTheEntriesOfOneQueue() {
    Run r =
        run(
            "cq",
            "--dir",
            dir.toString(),
            "--topic",
            "TopicA",
            "--queue",
            "0",
            "--from",
            "48",
            "--limit",
            "3");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().lines().toList())
        .containsExactly(
            "queueOffset=48 phyOffset="
                + topicA.get(48).physicalOffset()
                + " size="
                + topicA.get(48).sizes()[0]
                + " tagsCode="
                + "TagA".hashCode(),
            "queueOffset=49 phyOffset="
                + topicA.get(49).physicalOffset()
                + " size="
                + topicA.get(49).sizes()[0]
                + " tagsCode="
                + "TagA".hashCode(),
            "queueOffset=50 phyOffset="
                + topicA.get(50).physicalOffset()
                + " size="
                + topicA.get(50).sizes()[0]
                + " tagsCode="
                + "TagA".hashCode(),
            "3 entries printed");
  }

  @Test
  void refusesADirectoryWhoseStoreIsOpen() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      Run r = verify();

      assertThat(r.exitCode()).isEqualTo(StoreTool.USAGE);
      assertThat(r.err()).contains("is in use");
      assertThat(r.out()).isEmpty();
      assertThat(store.commitLogMaxOffset()).isPositive();
    }
    assertThat(verify().exitCode()).isZero();
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(run("verify").exitCode()).isEqualTo(StoreTool.USAGE);
    assertThat(run("dump", "--dir", dir.resolve("nope").toString()).exitCode())
        .isEqualTo(StoreTool.USAGE);
  }

  Path segmentOf(long offset) {
    return dir.resolve("commitlog").resolve(FileNames.offsetName(offset - offset % SEGMENT_SIZE));
  }

  static void flipByte(Path file, int position) throws Exception {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0x01));
      ch.write(b.rewind(), position);
    }
  }
}
