package io.wharfmq.store.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class IndexServiceTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int SLOTS = 64;
  private static final int ENTRIES = 200;

  @TempDir Path dir;

  private final List<IndexService> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(IndexService::close);
  }

  private IndexService open(int slots, int entries) throws IOException {
    IndexService s = new IndexService(dir.resolve("index"), slots, entries);
    s.load();
    opened.add(s);
    return s;
  }

  private static List<Long> all(IndexService s, String topic, String key) {
    return s.query(topic, key, 1000, 0, Long.MAX_VALUE);
  }

  private List<Path> indexFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("index"))) {
      return s.sorted().toList();
    }
  }

  @Test
  void findsOffsetsByTopicAndKeyNewestFirst() throws IOException {
    IndexService s = open(SLOTS, ENTRIES);
    s.put("A", "k1", 100, T0);
    s.put("A", "k2", 200, T0 + 1);
    s.put("B", "k1", 300, T0 + 2);
    s.put("A", "k1", 400, T0 + 3);
    s.put("A", "", 500, T0 + 4);
    s.put("A", null, 600, T0 + 5);

    assertThat(all(s, "A", "k1")).containsExactly(400L, 100L);
    assertThat(all(s, "A", "k2")).containsExactly(200L);
    assertThat(all(s, "B", "k1")).containsExactly(300L);
    assertThat(all(s, "B", "k2")).isEmpty();
    assertThat(all(s, "A", "")).isEmpty();
    assertThat(s.query("A", "k1", 1, 0, Long.MAX_VALUE)).containsExactly(400L);
    assertThat(s.query("A", "k1", 0, 0, Long.MAX_VALUE)).isEmpty();
    assertThat(s.maxPhysicalOffset()).isEqualTo(400);
  }

  @Test
  void repeatedOffsetsAreReportedOnce() throws IOException {
    IndexService s = open(SLOTS, ENTRIES);
    s.put("A", "k", 100, T0);
    s.put("A", "k", 100, T0);
    s.put("A", "k", 200, T0);

    assertThat(all(s, "A", "k")).containsExactly(200L, 100L);
    assertThat(s.query("A", "k", 2, 0, Long.MAX_VALUE)).containsExactly(200L, 100L);
  }

  @Test
  void keysSharingASlotAreToldApartByHash() throws IOException {
    IndexService s = open(SLOTS, ENTRIES);
    int slot = slotOf("T", "k0");
    String sameSlot = null;
    for (int i = 1; sameSlot == null; i++) {
      if (slotOf("T", "k" + i) == slot) {
        sameSlot = "k" + i;
      }
    }
    s.put("T", "k0", 100, T0);
    s.put("T", sameSlot, 200, T0);
    s.put("T", "k0", 300, T0);

    assertThat(all(s, "T", "k0")).containsExactly(300L, 100L);
    assertThat(all(s, "T", sameSlot)).containsExactly(200L);
  }

  @Test
  void keysWithEqualHashAreBothCandidates() throws IOException {
    // "Aa" and "BB" have the same String.hashCode, so "T#Aa" and "T#BB" do too.
    assertThat("T#Aa".hashCode()).isEqualTo("T#BB".hashCode());
    IndexService s = open(1, ENTRIES);
    s.put("T", "Aa", 100, T0);
    s.put("T", "BB", 200, T0);
    s.put("T", "other", 300, T0);

    assertThat(all(s, "T", "Aa")).containsExactly(200L, 100L);
    assertThat(all(s, "T", "BB")).containsExactly(200L, 100L);
    assertThat(all(s, "T", "other")).containsExactly(300L);
  }

  @Test
  void keyHashFollowsRocketMq() {
    assertThat(IndexFileLayout.keyHash("T#k")).isEqualTo(Math.abs("T#k".hashCode()));
    // The one String hash whose absolute value is negative.
    String minHash = "polygenelubricants";
    assertThat(minHash.hashCode()).isEqualTo(Integer.MIN_VALUE);
    assertThat(IndexFileLayout.keyHash(minHash)).isZero();
  }

  @Test
  void filtersByTimeRange() throws IOException {
    IndexService s = open(SLOTS, ENTRIES);
    s.put("T", "k", 100, T0);
    s.put("T", "k", 200, T0 + 10_000);
    s.put("T", "k", 300, T0 + 20_000);

    assertThat(s.query("T", "k", 10, T0 + 5_000, T0 + 15_000)).containsExactly(200L);
    assertThat(s.query("T", "k", 10, T0, T0 + 20_000)).containsExactly(300L, 200L, 100L);
    assertThat(s.query("T", "k", 10, T0 + 10_000, Long.MAX_VALUE)).containsExactly(300L, 200L);
    assertThat(s.query("T", "k", 10, 0, T0 - 1)).isEmpty();
    assertThat(s.query("T", "k", 10, T0 + 20_001, Long.MAX_VALUE)).isEmpty();
    assertThat(s.query("T", "k", 10, T0 + 15_000, T0 + 5_000)).isEmpty();
  }

  @Test
  void wholeSecondResolutionNeverMissesAMessageInRange() throws IOException {
    IndexService s = open(SLOTS, ENTRIES);
    long[] times = {T0 + 250, T0 + 999, T0 + 1_000, T0 + 1_750, T0 + 3_999};
    for (int i = 0; i < times.length; i++) {
      s.put("T", "k", 100L * (i + 1), times[i]);
    }
    for (int i = 0; i < times.length; i++) {
      assertThat(s.query("T", "k", 10, times[i], times[i]))
          .as("query for exactly %d", times[i])
          .contains(100L * (i + 1));
    }
  }

  @Test
  void rollsOverWhenAFileIsFullAndQueriesSpanFiles() throws IOException {
    // Entry 0 is never used, so 5 entries per file hold 4.
    IndexService s = open(SLOTS, 5);
    for (int i = 1; i <= 10; i++) {
      s.put("T", "k", 100L * i, T0);
      s.put("T", "other" + i, 100L * i, T0);
    }

    assertThat(indexFiles()).hasSize(5);
    List<Long> expected = new ArrayList<>();
    for (int i = 10; i >= 1; i--) {
      expected.add(100L * i);
    }
    assertThat(all(s, "T", "k")).isEqualTo(expected);
    assertThat(s.query("T", "k", 3, 0, Long.MAX_VALUE)).containsExactly(1000L, 900L, 800L);
    assertThat(all(s, "T", "other1")).containsExactly(100L);
    assertThat(s.maxPhysicalOffset()).isEqualTo(1000);
  }

  @Test
  void namesFilesByCreationTimeAndStepsPastCollisions() throws IOException {
    IndexService s = open(SLOTS, 2);
    s.put("T", "k", 1, T0);
    s.put("T", "k", 2, T0);
    s.put("T", "k", 3, T0 - 60_000);

    assertThat(indexFiles())
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            IndexFileNames.nameOf(T0),
            IndexFileNames.nameOf(T0 + 1),
            IndexFileNames.nameOf(T0 + 2));
    assertThat(IndexFileNames.nameOf(T0)).isEqualTo("20231114221320000");
    assertThat(IndexFileNames.millisOf("20231114221320000")).isEqualTo(T0);
  }

  @Test
  void reloadGivesTheSameAnswers() throws IOException {
    IndexService s = open(SLOTS, 5);
    for (int i = 1; i <= 7; i++) {
      s.put("T", "k" + (i % 3), 100L * i, T0 + 1_000L * i);
    }
    List<List<Long>> before = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      before.add(all(s, "T", "k" + k));
      before.add(s.query("T", "k" + k, 10, T0 + 2_000, T0 + 5_000));
    }
    long maxOffset = s.maxPhysicalOffset();
    s.close();

    IndexService reopened = open(SLOTS, 5);
    List<List<Long>> after = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      after.add(all(reopened, "T", "k" + k));
      after.add(reopened.query("T", "k" + k, 10, T0 + 2_000, T0 + 5_000));
    }
    assertThat(after).isEqualTo(before);
    assertThat(reopened.maxPhysicalOffset()).isEqualTo(maxOffset);

    // The last file had room left; writing continues in it.
    int filesBefore = indexFiles().size();
    reopened.put("T", "k1", 800, T0 + 8_000);
    assertThat(indexFiles()).hasSize(filesBefore);
    assertThat(all(reopened, "T", "k1")).startsWith(800L).contains(700L, 400L, 100L);
  }

  @Test
  void writesRocketMqLayout() throws IOException {
    IndexService s = open(SLOTS, ENTRIES);
    s.put("T", "k", 1234, T0 + 500);
    s.put("T", "j", 5678, T0 + 3_700);
    s.put("T", "k", 9999, T0 + 2_000);
    s.flush();

    List<Path> files = indexFiles();
    assertThat(files).hasSize(1);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(files.get(0)));
    assertThat(b.capacity()).isEqualTo(40 + SLOTS * 4 + ENTRIES * 20);
    assertThat(b.getLong(0)).isEqualTo(T0 + 500);
    assertThat(b.getLong(8)).isEqualTo(T0 + 3_700);
    assertThat(b.getLong(16)).isEqualTo(1234);
    assertThat(b.getLong(24)).isEqualTo(9999);
    assertThat(b.getInt(32)).isEqualTo(SLOTS);
    assertThat(b.getInt(36)).isEqualTo(4);

    int hash = Math.abs("T#k".hashCode());
    int slotPos = 40 + (hash % SLOTS) * 4;
    assertThat(b.getInt(slotPos)).isEqualTo(3);
    int third = 40 + SLOTS * 4 + 3 * 20;
    assertThat(b.getInt(third)).isEqualTo(hash);
    assertThat(b.getLong(third + 4)).isEqualTo(9999);
    assertThat(b.getInt(third + 12)).isEqualTo(1);
    assertThat(b.getInt(third + 16)).isEqualTo(1);
    int first = 40 + SLOTS * 4 + 20;
    assertThat(b.getLong(first + 4)).isEqualTo(1234);
    assertThat(b.getInt(first + 12)).isZero();
    assertThat(b.getInt(first + 16)).isZero();
    int second = 40 + SLOTS * 4 + 2 * 20;
    assertThat(b.getInt(second + 12)).isEqualTo(3);
  }

  @Test
  void deletesOnlyOldFilesAndNeverTheNewest() throws IOException {
    IndexService s = open(SLOTS, 3);
    for (int i = 1; i <= 6; i++) {
      s.put("T", "k", 100L * i, T0 + i);
    }
    List<Path> files = indexFiles();
    assertThat(files).hasSize(3);

    assertThat(s.deleteFilesBelow(200)).isZero();
    assertThat(s.deleteFilesBelow(201)).isEqualTo(1);
    assertThat(indexFiles()).isEqualTo(files.subList(1, 3));
    assertThat(all(s, "T", "k")).containsExactly(600L, 500L, 400L, 300L);

    assertThat(s.deleteFilesBelow(Long.MAX_VALUE)).isEqualTo(1);
    assertThat(indexFiles()).containsExactly(files.get(2));
    assertThat(all(s, "T", "k")).containsExactly(600L, 500L);
    assertThat(s.maxPhysicalOffset()).isEqualTo(600);
    assertThat(s.deleteFilesBelow(Long.MAX_VALUE)).isZero();
  }

  @Test
  void emptyIndex() throws IOException {
    IndexService s = open(SLOTS, ENTRIES);
    assertThat(s.maxPhysicalOffset()).isEqualTo(-1);
    assertThat(all(s, "T", "k")).isEmpty();
    assertThat(s.deleteFilesBelow(Long.MAX_VALUE)).isZero();
    s.flush();
    assertThat(indexFiles()).isEmpty();
  }

  @Test
  void refusesAFileWrittenWithAnotherSlotCount() throws IOException {
    IndexService s = open(SLOTS, ENTRIES);
    s.put("T", "k", 1, T0);
    s.close();
    Path file = indexFiles().get(0);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putInt(IndexFileLayout.HASH_SLOT_COUNT, SLOTS * 2);
    Files.write(file, bytes);

    IndexService reopened = new IndexService(dir.resolve("index"), SLOTS, ENTRIES);
    assertThatThrownBy(reopened::load)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("hash slots");
  }

  @Test
  void rejectsImpossibleSizes() {
    assertThatThrownBy(() -> new IndexService(dir, 0, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IndexService(dir, 10, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IndexService(dir, 5_000_000, 200_000_000))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static int slotOf(String topic, String key) {
    return IndexFileLayout.slotOf(
        IndexFileLayout.keyHash(IndexFileLayout.indexKey(topic, key)), SLOTS);
  }
}
