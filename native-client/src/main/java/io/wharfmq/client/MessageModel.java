package io.wharfmq.client;

/** How a group shares a topic. */
public enum MessageModel {
  /** Each message goes to one member of the group; offsets are kept by the broker. */
  CLUSTERING,
  /** Each member gets every message; each member keeps its offsets in a local file. */
  BROADCASTING
}
