package io.wharfmq.bench.e2e;

/**
 * Layout of the first 12 bytes of every benchmark body: the message's intended send time
 * (System.nanoTime of the one JVM that both sends and consumes) and the id of the run it belongs
 * to. The rest of the body is filler.
 */
public final class Stamp {
  static final int INTENDED_NANOS = 0;
  static final int RUN_ID = 8;
  public static final int LENGTH = 12;

  private Stamp() {}

  public static void write(byte[] body, long intendedNanos, int runId) {
    for (int i = 0; i < 8; i++) {
      body[INTENDED_NANOS + i] = (byte) (intendedNanos >>> (56 - 8 * i));
    }
    for (int i = 0; i < 4; i++) {
      body[RUN_ID + i] = (byte) (runId >>> (24 - 8 * i));
    }
  }

  public static long intendedNanos(byte[] body) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (body[INTENDED_NANOS + i] & 0xFF);
    }
    return v;
  }

  public static int runId(byte[] body) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (body[RUN_ID + i] & 0xFF);
    }
    return v;
  }
}
