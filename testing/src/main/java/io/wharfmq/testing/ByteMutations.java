package io.wharfmq.testing;

import java.io.ByteArrayOutputStream;
import java.util.Random;

/** Seeded byte mutations for the fuzz tests of several modules. Stateless. */
public final class ByteMutations {
  private ByteMutations() {}

  /** Flips, inserts, deletes, duplicates or truncates a few bytes. */
  public static byte[] mutate(Random rnd, byte[] in) {
    if (in.length == 0) {
      return in;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = rnd.nextInt(in.length);
    switch (rnd.nextInt(5)) {
      case 0 -> {
        byte[] b = in.clone();
        for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return b;
      }
      case 1 -> {
        out.write(in, 0, at);
        byte[] junk = new byte[1 + rnd.nextInt(8)];
        rnd.nextBytes(junk);
        out.writeBytes(junk);
        out.write(in, at, in.length - at);
      }
      case 2 -> {
        int len = Math.min(in.length - at, 1 + rnd.nextInt(16));
        out.write(in, 0, at);
        out.write(in, at + len, in.length - at - len);
      }
      case 3 -> {
        int len = Math.min(in.length - at, 1 + rnd.nextInt(64));
        out.write(in, 0, at + len);
        out.write(in, at, in.length - at);
      }
      default -> out.write(in, 0, at);
    }
    return out.toByteArray();
  }
}
