package io.wharfmq.client;

import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestSignature;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A user's access key and secret key (its name and password in Wharf), with which every request is
 * signed as the official client's AclClientRPCHook signs (docs/security.md, "Native door"). Needed
 * against a broker with aclEnable=true. Immutable; the secret never appears in {@link #toString}.
 */
public final class Credentials {
  private final String accessKey;
  private final byte[] secret;

  public Credentials(String accessKey, String secretKey) {
    Objects.requireNonNull(accessKey, "accessKey");
    Objects.requireNonNull(secretKey, "secretKey");
    if (accessKey.isEmpty()) {
      throw new IllegalArgumentException("the access key is empty");
    }
    this.accessKey = accessKey;
    this.secret = secretKey.getBytes(StandardCharsets.UTF_8);
  }

  public String accessKey() {
    return accessKey;
  }

  /** Signs {@code request} (its header fields and body are final). */
  public void sign(RemotingCommand request) {
    RequestSignature.sign(request, accessKey, secret);
  }

  @Override
  public String toString() {
    return "Credentials[" + accessKey + "]";
  }
}
