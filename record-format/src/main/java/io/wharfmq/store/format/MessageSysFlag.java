package io.wharfmq.store.format;

/**
 * SYSFLAG bits of a commit-log record (RocketMQ's MessageSysFlag), see docs/formats.md, table
 * "SYSFLAG bits". Stateless; thread-safe.
 */
public final class MessageSysFlag {
  private MessageSysFlag() {}

  public static final int COMPRESSED = 0x1;
  public static final int MULTI_TAGS = 0x2;
  public static final int TRANSACTION_NOT_TYPE = 0;
  public static final int TRANSACTION_PREPARED_TYPE = 0x4;
  public static final int TRANSACTION_COMMIT_TYPE = 0x8;
  public static final int TRANSACTION_ROLLBACK_TYPE = 0xC;
  public static final int BORNHOST_V6 = 0x10;
  public static final int STOREHOST_V6 = 0x20;
  public static final int NEED_UNWRAP = 0x40;
  public static final int INNER_BATCH = 0x80;
  private static final int TRANSACTION_MASK = 0xC;

  public static int transactionType(int sysFlag) {
    return sysFlag & TRANSACTION_MASK;
  }

  public static int withTransactionType(int sysFlag, int type) {
    return (sysFlag & ~TRANSACTION_MASK) | type;
  }

  public static boolean bornHostIsV6(int sysFlag) {
    return (sysFlag & BORNHOST_V6) != 0;
  }

  public static boolean storeHostIsV6(int sysFlag) {
    return (sysFlag & STOREHOST_V6) != 0;
  }

  /**
   * Whether a record goes into a consume queue. Half (prepared) and rollback transaction records do
   * not: they are stored with queue offset 0 and only become visible through a later commit record.
   */
  public static boolean isDispatchedToConsumeQueue(int sysFlag) {
    int type = transactionType(sysFlag);
    return type == TRANSACTION_NOT_TYPE || type == TRANSACTION_COMMIT_TYPE;
  }
}
