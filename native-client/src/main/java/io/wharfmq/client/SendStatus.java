package io.wharfmq.client;

/**
 * How a broker stored a sent message. Anything but {@link #SEND_OK} means the message is stored on
 * the master but its configured durability (disk flush, replica) was not confirmed in time.
 */
public enum SendStatus {
  SEND_OK,
  FLUSH_DISK_TIMEOUT,
  FLUSH_SLAVE_TIMEOUT,
  SLAVE_NOT_AVAILABLE
}
