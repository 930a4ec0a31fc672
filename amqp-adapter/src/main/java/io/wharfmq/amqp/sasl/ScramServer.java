package io.wharfmq.amqp.sasl;

import io.wharfmq.security.ScramCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.function.Function;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677): client-first, server-first
 * with the nonce, salt and iterations, client-final with the proof checked against StoredKey,
 * server-final with the ServerSignature from ServerKey. Channel binding is not offered (no
 * SCRAM-SHA-256-PLUS): the flags 'n' and 'y' are taken, 'p' is refused. An unknown user gets a
 * server-first made from {@code fakeCredentials} (stable for the name), so the exchange looks the
 * same as a known user's and fails only at the proof: a peer cannot learn which names exist. One
 * per login attempt; not thread-safe.
 */
public final class ScramServer {
  /** Why an exchange failed: a message for the log, never containing a secret. */
  public static final class ScramException extends Exception {
    private static final long serialVersionUID = 1L;

    ScramException(String message) {
      super(message);
    }
  }

  private enum Step {
    FIRST,
    FINAL,
    DONE
  }

  private final Function<String, ScramCredentials> lookup;
  private final Function<String, ScramCredentials> fakeCredentials;
  private final String serverNonce;
  private Step step = Step.FIRST;
  private String user;
  private boolean known;
  private ScramCredentials credentials;
  private String gs2Header;
  private String clientFirstBare;
  private String serverFirst;
  private String nonce;

  /**
   * @param lookup the credentials of an enabled user, or null when there is none
   * @param fakeCredentials stand-in credentials for a name {@code lookup} does not know
   * @param serverNonce the server's part of the nonce (printable, no ','): random per exchange
   */
  public ScramServer(
      Function<String, ScramCredentials> lookup,
      Function<String, ScramCredentials> fakeCredentials,
      String serverNonce) {
    if (serverNonce.isEmpty() || serverNonce.indexOf(',') >= 0) {
      throw new IllegalArgumentException("a server nonce is printable and has no ','");
    }
    this.lookup = lookup;
    this.fakeCredentials = fakeCredentials;
    this.serverNonce = serverNonce;
  }

  /** The user name the client gave (after the first message), known or not. */
  public String user() {
    return user;
  }

  /** Takes the client-first message; returns the server-first message. */
  public byte[] clientFirst(byte[] message) throws ScramException {
    expect(Step.FIRST);
    String m = text(message);
    // gs2-header: cbind-flag "," [authzid] ","
    int c1 = m.indexOf(',');
    int c2 = c1 < 0 ? -1 : m.indexOf(',', c1 + 1);
    if (c2 < 0) {
      throw new ScramException("malformed client-first message (no GS2 header)");
    }
    String flag = m.substring(0, c1);
    if (flag.startsWith("p=")) {
      throw new ScramException("channel binding requested, but Wharf offers none");
    }
    if (!flag.equals("n") && !flag.equals("y")) {
      throw new ScramException("malformed client-first message (channel binding flag)");
    }
    String authzid = m.substring(c1 + 1, c2);
    gs2Header = m.substring(0, c2 + 1);
    clientFirstBare = m.substring(c2 + 1);
    if (clientFirstBare.startsWith("m=")) {
      throw new ScramException("unsupported mandatory extension in client-first message");
    }
    String[] parts = clientFirstBare.split(",", -1);
    if (parts.length < 2 || !parts[0].startsWith("n=") || !parts[1].startsWith("r=")) {
      throw new ScramException("malformed client-first message (expected n=,r=)");
    }
    user = saslName(parts[0].substring(2));
    String clientNonce = parts[1].substring(2);
    if (user.isEmpty() || clientNonce.isEmpty()) {
      throw new ScramException("malformed client-first message (empty user name or nonce)");
    }
    if (!authzid.isEmpty()
        && !(authzid.startsWith("a=") && saslName(authzid.substring(2)).equals(user))) {
      throw new ScramException("user '" + user + "' may not act as another user (authzid)");
    }
    credentials = lookup.apply(user);
    known = credentials != null;
    if (!known) {
      credentials = fakeCredentials.apply(user);
    }
    nonce = clientNonce + serverNonce;
    serverFirst =
        "r="
            + nonce
            + ",s="
            + Base64.getEncoder().encodeToString(credentials.salt())
            + ",i="
            + credentials.iterations();
    step = Step.FINAL;
    return serverFirst.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Takes the client-final message; returns the server-final message when the proof is right.
   * ScramException: a malformed message, a wrong proof or an unknown user (the same message for
   * both, as the peer would see it).
   */
  public byte[] clientFinal(byte[] message) throws ScramException {
    expect(Step.FINAL);
    step = Step.DONE;
    String m = text(message);
    int proofAt = m.lastIndexOf(",p=");
    if (proofAt < 0) {
      throw new ScramException("malformed client-final message (no proof)");
    }
    String withoutProof = m.substring(0, proofAt);
    String[] parts = withoutProof.split(",", -1);
    if (parts.length < 2 || !parts[0].startsWith("c=") || !parts[1].startsWith("r=")) {
      throw new ScramException("malformed client-final message (expected c=,r=)");
    }
    String binding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
    if (!parts[0].substring(2).equals(binding)) {
      throw new ScramException("channel binding data differs from the GS2 header");
    }
    if (!parts[1].substring(2).equals(nonce)) {
      throw new ScramException("nonce differs from the server-first message");
    }
    byte[] proof;
    try {
      proof = Base64.getDecoder().decode(m.substring(proofAt + 3));
    } catch (IllegalArgumentException e) {
      throw new ScramException("malformed client-final message (proof is not base64)");
    }
    byte[] authMessage =
        (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    byte[] clientSignature = ScramCredentials.hmac(credentials.storedKey(), authMessage);
    if (proof.length != clientSignature.length) {
      throw new ScramException("wrong password (proof)");
    }
    byte[] clientKey = new byte[proof.length];
    for (int i = 0; i < proof.length; i++) {
      clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
    }
    boolean proven =
        MessageDigest.isEqual(ScramCredentials.sha256(clientKey), credentials.storedKey());
    if (!proven || !known) {
      throw new ScramException("wrong password (proof)");
    }
    byte[] serverSignature = ScramCredentials.hmac(credentials.serverKey(), authMessage);
    return ("v=" + Base64.getEncoder().encodeToString(serverSignature))
        .getBytes(StandardCharsets.UTF_8);
  }

  private void expect(Step s) throws ScramException {
    if (step != s) {
      throw new ScramException("SCRAM message out of turn");
    }
  }

  private static String text(byte[] message) throws ScramException {
    if (message == null || message.length == 0) {
      throw new ScramException("empty SCRAM message");
    }
    String s = new String(message, StandardCharsets.UTF_8);
    if (!java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), message)) {
      throw new ScramException("SCRAM message is not UTF-8");
    }
    return s;
  }

  /** A saslname with its "=2C" and "=3D" escapes undone (RFC 5802 section 5.1). */
  private static String saslName(String s) throws ScramException {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '=') {
        out.append(c);
      } else if (s.startsWith("=2C", i)) {
        out.append(',');
        i += 2;
      } else if (s.startsWith("=3D", i)) {
        out.append('=');
        i += 2;
      } else {
        throw new ScramException("malformed user name (bad '=' escape)");
      }
    }
    return out.toString();
  }
}
