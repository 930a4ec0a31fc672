package io.wharfmq.store.retention;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How full the file system holding a path is, in whole percent, as retention sees it. Tests inject
 * their own; {@link #FILE_SYSTEM} is the real one.
 */
@FunctionalInterface
public interface DiskUsage {
  /** Percent of the file system holding {@code path} in use (0..100, can exceed 100 for root). */
  int usedPercent(Path path) throws IOException;

  /**
   * What {@code df} shows as Use% and Apache RocketMQ's UtilAll.getDiskPartitionSpaceUsedPercent
   * computes: used = total - free, ratio = used / (used + available to unprivileged users), rounded
   * up to a whole percent. Blocks reserved for root count neither as used nor as available, so an
   * ext4 file system with the usual 5 % reserve (or more) is not reported fuller than it is.
   */
  DiskUsage FILE_SYSTEM =
      path -> {
        FileStore store = Files.getFileStore(path);
        return percent(store.getTotalSpace(), store.getUnallocatedSpace(), store.getUsableSpace());
      };

  /** The ratio from statvfs-style figures (bytes); 0 for an empty or unknown file system. */
  static int percent(long total, long free, long available) {
    long used = total - free;
    long entire = used + available;
    if (total <= 0 || entire <= 0) {
      return 0;
    }
    long whole = used * 100 / entire;
    return (int) (used * 100 % entire == 0 ? whole : whole + 1);
  }
}
