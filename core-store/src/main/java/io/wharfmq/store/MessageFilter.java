package io.wharfmq.store;

import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.StoredMessage;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Decides which messages a batch read returns: first cheaply on the consume-queue tags code, then
 * (optionally) on the stored record itself. Implementations must be thread-safe.
 */
public interface MessageFilter {
  /** Accepts everything. */
  MessageFilter ALL = tagsCode -> true;

  /** Cheap check on the consume-queue entry. */
  boolean matchesTagsCode(long tagsCode);

  /** Full check on the record (positioned at 0 of {@code record}); default accepts. */
  default boolean matchesRecord(ByteBuffer record) {
    return true;
  }

  /**
   * Tag filter: a message matches if its TAGS property equals one of {@code tags}. Uses the hash in
   * the consume queue first and confirms on the record, so a hash collision never lets a wrong tag
   * through.
   */
  static MessageFilter byTags(Collection<String> tags) {
    Set<String> wanted = Set.copyOf(tags);
    Set<Long> codes = new HashSet<>();
    for (String t : wanted) {
      codes.add((long) t.hashCode());
    }
    return new MessageFilter() {
      @Override
      public boolean matchesTagsCode(long tagsCode) {
        return codes.contains(tagsCode);
      }

      @Override
      public boolean matchesRecord(ByteBuffer record) {
        String tag =
            MessageProperties.find(StoredMessage.properties(record, 0), MessageProperties.TAGS);
        return tag != null && wanted.contains(tag);
      }
    };
  }
}
