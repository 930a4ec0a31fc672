package io.wharfmq.remoting.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RocketMQ's request signature (the official client's {@code AclClientRPCHook}, which ACL 1.0 and
 * 2.0 brokers both verify): the request carries {@code AccessKey} and {@code Signature} among its
 * header fields, where the signature is base64(HMAC-SHA1(secret, content)) and the content is the
 * values of every other header field, in the order of their names, as UTF-8, followed by the body.
 * Clients sign with it; the broker verifies with it. Thread-safe: each thread keeps its own {@link
 * Mac}, so a request costs a key initialisation, not a JCA provider lookup as well.
 */
public final class RequestSignature {
  public static final String ACCESS_KEY = "AccessKey";
  public static final String SIGNATURE = "Signature";
  public static final String SECURITY_TOKEN = "SecurityToken";

  /**
   * Clients up to 4.9.3 (version ordinal 399) added this field after signing; brokers leave it out
   * of their content for them.
   */
  private static final String UNIQUE_KEY_QUERY = "_UNIQUE_KEY_QUERY";

  private static final int V4_9_3 = 399;

  private static final ThreadLocal<Mac> MAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance("HmacSHA1");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("the JDK has no HmacSHA1", e);
            }
          });

  private RequestSignature() {}

  /** Adds the access key and the signature to {@code request} (its fields and body final). */
  public static void sign(RemotingCommand request, String accessKey, byte[] secret) {
    request.extFields().remove(SIGNATURE);
    request.put(ACCESS_KEY, accessKey);
    request.put(SIGNATURE, compute(request, secret, false));
  }

  /** The access key a request names, or null when it is not signed. */
  public static String accessKey(RemotingCommand request) {
    return request.get(ACCESS_KEY);
  }

  /** Whether {@code request}'s signature is the one {@code secret} makes (constant time). */
  public static boolean verify(RemotingCommand request, byte[] secret) {
    String given = request.get(SIGNATURE);
    if (given == null) {
      return false;
    }
    String expected = compute(request, secret, request.version() <= V4_9_3);
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
  }

  private static String compute(RemotingCommand request, byte[] secret, boolean skipUniqueKey) {
    Map<String, String> sorted = new TreeMap<>();
    if (request.hasExtFields()) {
      for (Map.Entry<String, String> e : request.extFields().entrySet()) {
        String k = e.getKey();
        if (!SIGNATURE.equals(k) && !(skipUniqueKey && UNIQUE_KEY_QUERY.equals(k))) {
          sorted.put(k, e.getValue());
        }
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String v : sorted.values()) {
      sb.append(v);
    }
    try {
      Mac mac = MAC.get();
      // init resets whatever an earlier call left behind.
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      mac.update(sb.toString().getBytes(StandardCharsets.UTF_8));
      byte[] body = request.body();
      ByteBuf buf = request.bodyBuffer();
      if (body != null) {
        mac.update(body);
      } else if (buf != null && buf.isReadable()) {
        for (java.nio.ByteBuffer b : buf.nioBuffers()) {
          mac.update(b);
        }
      }
      return Base64.getEncoder().encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 refused its key", e);
    }
  }
}
