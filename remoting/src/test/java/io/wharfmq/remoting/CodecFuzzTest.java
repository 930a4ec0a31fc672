package io.wharfmq.remoting;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wharfmq.remoting.codec.MalformedFrameException;
import io.wharfmq.remoting.codec.RemotingCommandCodec;
import io.wharfmq.remoting.protocol.RemotingCommand;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random and mutated frames into the frame decoder: it either decodes or says "malformed"; nothing
 * else may escape (an escaping exception would be a bug the server can only log and close on).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CodecFuzzTest {

  static RemotingCommand validCommand(Random rnd) {
    RemotingCommand c = RemotingCommand.request(rnd.nextInt(400));
    for (int i = 0; i < rnd.nextInt(5); i++) {
      c.put("k\u00e9" + i, "v\u0001\u0002\"\\\u20ac" + rnd.nextInt());
    }
    if (rnd.nextBoolean()) {
      c.remark("r\n\u00fc" + rnd.nextInt());
    }
    byte[] body = new byte[rnd.nextInt(64)];
    rnd.nextBytes(body);
    c.body(body);
    c.serializeType(
        rnd.nextBoolean()
            ? RemotingCommand.SerializeType.JSON
            : RemotingCommand.SerializeType.ROCKETMQ);
    return c;
  }

  static byte[] validFrame(Random rnd) {
    return encode(validCommand(rnd));
  }

  static byte[] encode(RemotingCommand c) {
    ByteBuf out = Unpooled.buffer();
    RemotingCommandCodec.encodeHeader(c, out);
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    return bytes;
  }

  @Test
  void encodedFramesRoundTripInBothHeaderFormats() throws Exception {
    Random rnd = new Random(7);
    int binary = 0;
    for (int i = 0; i < 2000; i++) {
      RemotingCommand c = validCommand(rnd);
      byte[] f = encode(c);
      RemotingCommand d = RemotingCommandCodec.decode(Unpooled.wrappedBuffer(f, 4, f.length - 4));
      assertThat(d.serializeType()).isEqualTo(c.serializeType());
      assertThat(d.code()).isEqualTo(c.code());
      assertThat(d.opaque()).isEqualTo(c.opaque());
      assertThat(d.flag()).isEqualTo(c.flag());
      assertThat(d.version()).isEqualTo(c.version());
      assertThat(d.language()).isEqualTo(c.language());
      assertThat(d.remark()).isEqualTo(c.remark());
      assertThat(d.extFields()).isEqualTo(c.extFields());
      assertThat(d.body()).isEqualTo(c.body().length == 0 ? null : c.body());
      if (c.serializeType() == RemotingCommand.SerializeType.JSON) {
        assertThat(new String(f, StandardCharsets.UTF_8)).contains("\"code\"");
      } else {
        binary++;
      }
    }
    assertThat(binary).isBetween(900, 1100);
  }

  @Test
  void mutatedAndRandomFramesEitherDecodeOrAreMalformed() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    int malformed = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] f;
      if (i % 4 == 0) {
        f = new byte[5 + rnd.nextInt(200)];
        rnd.nextBytes(f);
        if (rnd.nextBoolean()) {
          f[4] = (byte) rnd.nextInt(2); // plausible serialize type
        }
      } else {
        f = validFrame(rnd);
        for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
          int at = 4 + rnd.nextInt(f.length - 4);
          f[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : f[at] ^ (1 << rnd.nextInt(8)));
        }
      }
      try {
        RemotingCommandCodec.decode(Unpooled.wrappedBuffer(f, 4, f.length - 4));
      } catch (MalformedFrameException e) {
        malformed++;
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " iteration " + i + ": unexpected " + e, e);
      }
    }
    assertThat(malformed).as("seed %d", seed).isGreaterThan(10_000);
  }
}
