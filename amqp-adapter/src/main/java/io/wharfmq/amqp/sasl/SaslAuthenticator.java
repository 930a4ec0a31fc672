package io.wharfmq.amqp.sasl;

import io.wharfmq.security.ScramCredentials;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.SaslListener;
import org.apache.qpid.proton.engine.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of SASL for one connection: SCRAM-SHA-256 (RFC 7677) when the {@link Logins}
 * offer it, PLAIN (RFC 4616), and ANONYMOUS when allowed (RFC 4505). A password hash takes tens of
 * milliseconds by design, so PLAIN is checked on the verifier and the outcome goes back through
 * {@code connectionThread}, which also writes it; the connection's event loop never computes a hash
 * (SCRAM's checks are two HMACs and a digest: the client did the hashing). An unknown user costs
 * the same as a known one and, under SCRAM, gets a believable exchange, so neither timing nor
 * answers tell which names exist. A failed login is logged and its outcome held back by the {@link
 * LoginFailures} of the listener. Owned by the connection's thread; {@link #user()} is read there.
 */
public final class SaslAuthenticator implements SaslListener {
  private static final Logger log = LoggerFactory.getLogger(SaslAuthenticator.class);

  public static final String PLAIN = "PLAIN";
  public static final String ANONYMOUS = "ANONYMOUS";
  public static final String SCRAM_SHA_256 = "SCRAM-SHA-256";

  /** Runs a task on the connection's thread after {@code millis} (at once when 0). */
  @FunctionalInterface
  public interface Delay {
    void after(long millis, Runnable task);
  }

  /**
   * What every connection of one listener shares. Thread-safe.
   *
   * @param anonymousAllowed whether ANONYMOUS is offered
   * @param verifier where password hashes are computed
   * @param fakeKey keys the stand-in SCRAM credentials of unknown names (random per listener)
   */
  public record Settings(
      Logins logins,
      boolean anonymousAllowed,
      Executor verifier,
      LoginFailures failures,
      SecureRandom random,
      byte[] fakeKey) {
    public static Settings create(
        Logins logins, boolean anonymousAllowed, Executor verifier, LoginFailures failures) {
      SecureRandom random = new SecureRandom();
      byte[] key = new byte[32];
      random.nextBytes(key);
      return new Settings(logins, anonymousAllowed, verifier, failures, random, key);
    }

    /** The mechanisms to offer, best first. */
    public String[] mechanisms() {
      if (logins.scramOffered()) {
        return anonymousAllowed
            ? new String[] {SCRAM_SHA_256, PLAIN, ANONYMOUS}
            : new String[] {SCRAM_SHA_256, PLAIN};
      }
      return anonymousAllowed ? new String[] {PLAIN, ANONYMOUS} : new String[] {PLAIN};
    }

    /**
     * Stand-in credentials for a name no user has: the same salt every time for the same name (a
     * changing salt would tell), keys no password gives.
     */
    ScramCredentials fake(String name) {
      byte[] seed = ScramCredentials.hmac(fakeKey, name);
      return new ScramCredentials(
          ScramCredentials.DEFAULT_ITERATIONS,
          Arrays.copyOf(seed, 16),
          ScramCredentials.hmac(seed, "stored"),
          ScramCredentials.hmac(seed, "server"));
    }

    String nonce() {
      byte[] b = new byte[18];
      random.nextBytes(b);
      return Base64.getEncoder().encodeToString(b);
    }
  }

  private final Settings settings;
  private final Executor connectionThread;
  private final Delay delay;
  private final String peer;
  private final String host;
  private String user;
  private boolean started;
  private ScramServer scram;

  /**
   * @param connectionThread runs a task on the connection's thread and writes the engine's output
   * @param delay holds a failed outcome back
   * @param peer the peer's address, for log lines
   * @param host the peer's address without the port, for the failure throttle
   */
  public SaslAuthenticator(
      Settings settings, Executor connectionThread, Delay delay, String peer, String host) {
    this.settings = settings;
    this.connectionThread = connectionThread;
    this.delay = delay;
    this.peer = peer;
    this.host = host;
  }

  /** The mechanisms to offer, best first. */
  public String[] mechanisms() {
    return settings.mechanisms();
  }

  /** The authenticated user; null for an anonymous peer or before the outcome. */
  public String user() {
    return user;
  }

  @Override
  public void onSaslInit(Sasl sasl, Transport transport) {
    if (started) {
      sasl.done(Sasl.SaslOutcome.PN_SASL_PERM);
      return;
    }
    started = true;
    String[] chosen = sasl.getRemoteMechanisms();
    String mechanism = chosen.length == 0 ? "" : chosen[0];
    byte[] response = new byte[Math.max(0, sasl.pending())];
    if (response.length > 0) {
      sasl.recv(response, 0, response.length);
    }
    if (mechanism.equals(ANONYMOUS) && settings.anonymousAllowed()) {
      sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
    } else if (mechanism.equals(PLAIN)) {
      plain(sasl, response);
    } else if (mechanism.equals(SCRAM_SHA_256) && settings.logins().scramOffered()) {
      scram = new ScramServer(settings.logins()::scram, settings::fake, settings.nonce());
      try {
        byte[] first = scram.clientFirst(response);
        sasl.send(first, 0, first.length);
      } catch (ScramServer.ScramException e) {
        fail(sasl, SCRAM_SHA_256, scram.user(), e.getMessage());
      }
    } else {
      settings
          .failures()
          .refused(
              peer,
              "SASL mechanism '"
                  + mechanism
                  + "' refused (offered: "
                  + String.join(" ", mechanisms())
                  + ")");
      sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
    }
  }

  private void plain(Sasl sasl, byte[] response) {
    // authzid NUL authcid NUL passwd (RFC 4616); authzid must be empty or the authcid.
    int first = indexOf(response, 0);
    int second = first < 0 ? -1 : indexOf(response, first + 1);
    if (second < 0) {
      fail(sasl, PLAIN, null, "malformed response");
      return;
    }
    String authzid;
    String name;
    char[] password;
    try {
      authzid = utf8(response, 0, first);
      name = utf8(response, first + 1, second);
      password = utf8Chars(response, second + 1, response.length);
    } catch (CharacterCodingException e) {
      fail(sasl, PLAIN, null, "response is not UTF-8");
      return;
    } finally {
      Arrays.fill(response, (byte) 0);
    }
    if (!authzid.isEmpty() && !authzid.equals(name)) {
      fail(sasl, PLAIN, name, "may not act as '" + authzid + "' (authzid)");
      return;
    }
    try {
      settings
          .verifier()
          .execute(
              () -> {
                boolean ok = settings.logins().passwordMatches(name, password);
                Arrays.fill(password, '\0');
                connectionThread.execute(() -> plainOutcome(sasl, name, ok));
              });
    } catch (RejectedExecutionException e) {
      log.warn(
          "AMQP peer {}: too many logins at once; SASL answered with a temporary failure", peer);
      sasl.done(Sasl.SaslOutcome.PN_SASL_TEMP);
    }
  }

  private void plainOutcome(Sasl sasl, String name, boolean ok) {
    if (ok) {
      user = name;
      sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
    } else {
      fail(sasl, PLAIN, name, "unknown user, disabled user or wrong password");
    }
  }

  /** Logs the failure and answers "auth", held back as long as the throttle says. */
  private void fail(Sasl sasl, String mechanism, String name, String why) {
    long wait = settings.failures().failed(peer, host, mechanism, name, why);
    if (wait <= 0) {
      sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
    } else {
      delay.after(wait, () -> sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH));
    }
  }

  @Override
  public void onSaslResponse(Sasl sasl, Transport transport) {
    if (scram == null || user != null) {
      // PLAIN and ANONYMOUS need no challenge: a response is out of turn.
      log.info("AMQP peer {}: unexpected SASL response", peer);
      sasl.done(Sasl.SaslOutcome.PN_SASL_PERM);
      return;
    }
    byte[] response = new byte[Math.max(0, sasl.pending())];
    if (response.length > 0) {
      sasl.recv(response, 0, response.length);
    }
    try {
      byte[] last = scram.clientFinal(response);
      user = scram.user();
      sasl.send(last, 0, last.length); // goes out as the outcome's additional-data
      sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
    } catch (ScramServer.ScramException e) {
      fail(sasl, SCRAM_SHA_256, scram.user(), e.getMessage());
    }
  }

  @Override
  public void onSaslMechanisms(Sasl sasl, Transport transport) {}

  @Override
  public void onSaslChallenge(Sasl sasl, Transport transport) {}

  @Override
  public void onSaslOutcome(Sasl sasl, Transport transport) {}

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String utf8(byte[] b, int from, int to) throws CharacterCodingException {
    return new String(utf8Chars(b, from, to));
  }

  private static char[] utf8Chars(byte[] b, int from, int to) throws CharacterCodingException {
    CharBuffer chars =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b, from, to - from));
    char[] out = new char[chars.remaining()];
    chars.get(out);
    return out;
  }
}
