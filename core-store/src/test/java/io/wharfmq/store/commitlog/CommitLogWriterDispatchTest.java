package io.wharfmq.store.commitlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.AppendStatus;
import io.wharfmq.store.ManualClock;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageEncoder;
import io.wharfmq.store.format.MessageEncoder.EncodedRecord;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.RecordValidator;
import io.wharfmq.store.mapped.MappedFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ASYNC appender writes a fan-out's target offsets into the record before any of it reaches the
 * mapped segment, so a process that dies while the offsets are assigned leaves nothing recovery
 * could take for a record (review finding 2: a fan-out with zero offsets after kill -9).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CommitLogWriterDispatchTest {
  private static final int SEGMENT = 64 * 1024;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  @Test
  void aWriterThatStopsWhileAssigningTargetOffsetsLeavesNoRecordBehind() throws Exception {
    CommitLog log = new CommitLog(dir.resolve("commitlog"), SEGMENT);
    log.load();
    QueueOffsetAssigner offsets = new QueueOffsetAssigner();
    // Writing a negative offset into the digits throws: the append stops at the step where the
    // targets' offsets are assigned, as a kill -9 at that moment would stop it.
    offsets.set("B", 0, -1);
    CommitLogWriter writer =
        new CommitLogWriter(
            log,
            0,
            16,
            clock,
            offsets,
            new CommitLogFlusher(log, 20, 0, 20, false),
            false,
            true,
            () -> {});
    writer.start();
    AppendResult plain = writer.submit(records(message("A", Map.of("KEYS", "k")))).get();
    assertThat(plain.isOk()).as("%s", plain).isTrue();
    String targets =
        DispatchTargets.encode(
            List.of(new DispatchTargets.Queue("A", 0), new DispatchTargets.Queue("B", 0)));
    AppendResult fanOut =
        writer.submit(records(message("ex", Map.of(MessageProperties.DISPATCH, targets)))).get();
    assertThat(fanOut.status()).isEqualTo(AppendStatus.IO_ERROR);
    writer.close();

    int end = plain.sizes()[0];
    MappedFile segment = log.segmentFor(0);
    ByteBuffer buf = segment.buffer();
    assertThat(RecordValidator.check(buf, end, segment.size(), end, true).kind())
        .as("what follows the plain record")
        .isEqualTo(RecordValidator.Kind.END_OF_DATA);
    for (int i = end; i < segment.size(); i++) {
      assertThat(buf.get(i)).as("byte %d after the last record", i).isZero();
    }
    log.close();

    // Recovery of the directory (no checkpoint: it validates from the start) ends the log there.
    try (MessageStore store =
        MessageStore.open(
            new StoreConfig(dir).mappedFileSizeCommitLog(SEGMENT).maxMessageSize(16 * 1024),
            clock)) {
      assertThat(store.commitLogMaxOffset()).isEqualTo(end);
      assertThat(store.maxOffset("A", 0)).isEqualTo(1);
      assertThat(store.maxOffset("B", 0)).isZero();
    }
  }

  private static EncodedRecord[] records(MessageToStore m) {
    return new EncodedRecord[] {MessageEncoder.encode(m, 16 * 1024)};
  }

  private static MessageToStore message(String topic, Map<String, String> properties) {
    return MessageToStore.of(
        topic,
        0,
        "body".getBytes(StandardCharsets.UTF_8),
        MessageProperties.encode(properties),
        1L);
  }
}
