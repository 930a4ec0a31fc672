package io.wharfmq.store;

import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.RecordValidator;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.index.IndexService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Looks messages up by key through the index and confirms every candidate against the commit log:
 * the index holds hashes (collisions) and, after a crash, entries for records that were cut off, so
 * only a record that is really there and really carries the key is returned. Stateless.
 */
final class KeyQuery {
  private final CommitLog commitLog;
  private final IndexService index;

  KeyQuery(CommitLog commitLog, IndexService index) {
    this.commitLog = commitLog;
    this.index = index;
  }

  List<StoredMessage> query(
      String topic, String key, int maxNum, long beginTimestamp, long endTimestamp) {
    Set<Long> candidates =
        new LinkedHashSet<>(
            index.query(topic, key, Math.max(maxNum, 1) * 4 + 16, beginTimestamp, endTimestamp));
    List<StoredMessage> out = new ArrayList<>();
    for (long offset : candidates) {
      if (out.size() >= maxNum) {
        break;
      }
      StoredMessage m = readVerified(offset);
      if (m != null
          && m.topic().equals(topic)
          && m.storeTimestamp() >= beginTimestamp
          && m.storeTimestamp() <= endTimestamp
          && carriesKey(m.properties(), key)) {
        out.add(m);
      }
    }
    return out;
  }

  private StoredMessage readVerified(long offset) {
    if (offset < commitLog.minOffset() || offset >= commitLog.publishedOffset()) {
      return null;
    }
    try (StoredBytes record = commitLog.readRecord(offset)) {
      if (record == null) {
        return null;
      }
      RecordValidator.Result r =
          RecordValidator.check(record.buffer(), 0, record.size(), offset, false);
      return r.kind() == RecordValidator.Kind.RECORD
          ? StoredMessage.decode(record.buffer(), 0)
          : null;
    }
  }

  private static boolean carriesKey(String properties, String key) {
    if (key.equals(MessageProperties.find(properties, MessageProperties.UNIQ_KEY))) {
      return true;
    }
    String keys = MessageProperties.find(properties, MessageProperties.KEYS);
    return keys != null && Arrays.asList(keys.split(" ")).contains(key);
  }
}
