package io.wharfmq.amqp.transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the AMQP 1.0 listener: every key with its default and meaning side by side,
 * bound by the launcher from the same file and {@code --set} options as the broker's keys, and
 * checked once by {@link #problems()} with messages an operator can act on (docs/configuration.md,
 * docs/amqp.md). Mutable until the listener starts; not thread-safe.
 */
public final class AmqpConfig {
  static final int MIB = 1024 * 1024;

  /** The largest amqpMaxMessageSize: a message is assembled in one Java array. */
  public static final long MAX_MAX_MESSAGE_SIZE = 1L << 30;

  /** The smallest max-frame-size AMQP 1.0 allows a peer to announce (section 2.7.1). */
  public static final int MIN_MAX_FRAME_SIZE = 512;

  /** amqpEnable: start the AMQP 1.0 listener with the broker. */
  private boolean amqpEnable = true;

  /** amqpPort: TCP port of the AMQP 1.0 listener (0: any free port). */
  private int amqpPort = 5672;

  /**
   * amqpsEnable: also start an AMQP 1.0 listener that takes TLS only (amqps), on amqpsPort and
   * amqpBindAddress, with the certificate of tlsServerCertPath and tlsServerKeyPath (and the
   * tlsServerNeedClientAuth keys). Off unless set: a certificate is never made up.
   */
  private boolean amqpsEnable = false;

  /** amqpsPort: TCP port of the TLS-only AMQP 1.0 listener (0: any free port); 5671 is IANA's. */
  private int amqpsPort = 5671;

  /** amqpBindAddress: interface the AMQP 1.0 listener binds. */
  private String amqpBindAddress = "0.0.0.0";

  /**
   * amqpMaxFrameSize: largest frame a peer may send, in bytes, announced in Wharf's open
   * (max-frame-size); a larger frame closes the connection with amqp:connection:framing-error.
   * Messages larger than a frame arrive as several transfers. At least 512.
   */
  private int amqpMaxFrameSize = 1024 * 1024;

  /**
   * amqpIdleTimeoutMs: a connection from which nothing (not even an empty frame) arrives for this
   * long is closed with amqp:resource-limit-exceeded; Wharf announces half of it in its open, as
   * the specification recommends, so that peers send heartbeats in time. 0 turns it off (not
   * recommended).
   */
  private int amqpIdleTimeoutMs = 60_000;

  /**
   * amqpOpenTimeoutMs: a connection whose protocol header, SASL exchange and open frame are not all
   * done this long after it was accepted is closed (socket closed, one log line naming the peer),
   * whatever amqpIdleTimeoutMs says. 10 s, as ActiveMQ Artemis's handshake-timeout and RabbitMQ's
   * handshake_timeout. 0 turns it off (not recommended), else at least 1000.
   */
  private int amqpOpenTimeoutMs = 10_000;

  /**
   * amqpWriteBufferHighWaterMark: bytes written to a connection but not yet taken by its socket
   * above which Wharf stops producing output for it (consumer links stop taking messages) and stops
   * reading from it, until its peer has read enough to bring them under
   * amqpWriteBufferLowWaterMark. Also the most message bytes waiting in the connection's AMQP
   * engine for the same peer. At least amqpWriteBufferLowWaterMark.
   */
  private int amqpWriteBufferHighWaterMark = 128 * 1024;

  /**
   * amqpWriteBufferLowWaterMark: see amqpWriteBufferHighWaterMark; output and reading resume once
   * the bytes not yet taken by the socket fall below this. At least 1024.
   */
  private int amqpWriteBufferLowWaterMark = 32 * 1024;

  /**
   * amqpMaxConnections: open AMQP connections at most; one more is answered with
   * amqp:resource-limit-exceeded and closed.
   */
  private int amqpMaxConnections = 10_000;

  /**
   * amqpMaxSessionsPerConnection: sessions on one connection at most (Wharf's channel-max is this
   * minus one); one more is ended with amqp:resource-limit-exceeded.
   */
  private int amqpMaxSessionsPerConnection = 256;

  /**
   * amqpMaxLinksPerSession: links attached on one session at most; one more is refused with
   * amqp:resource-limit-exceeded.
   */
  private int amqpMaxLinksPerSession = 1024;

  /**
   * amqpMaxMessageSize: largest message an AMQP producer may send, bytes (the encoded message, all
   * sections); announced as the receiving links' max-message-size, and a larger one detaches the
   * link with amqp:link:message-size-exceeded. 1 KiB..1 GiB, 4 MiB by default, and no larger than
   * the store's maxMessageSize (bin/wharf lowers the default to it, and refuses a larger setting).
   */
  private long amqpMaxMessageSize = 4L * MIB;

  /**
   * amqpAnonymousEnable: accept peers without credentials (SASL ANONYMOUS, or no SASL layer at all,
   * as rhea without a username connects). Off, only SASL PLAIN with a user of amqpUsersFile gets
   * in.
   */
  private boolean amqpAnonymousEnable = true;

  /**
   * amqpUsersFile: file of AMQP users, one "name:pbkdf2-sha256:iterations:salt:hash" line each
   * (bin/wharf passwd NAME makes a line); never plain-text passwords. Empty: no users, so SASL
   * PLAIN fails and only anonymous peers get in. Re-read when it changes.
   */
  private String amqpUsersFile = "";

  /**
   * amqpGuestUser: with aclEnable=true, the user whose permissions anonymous peers get (SASL
   * ANONYMOUS, or no SASL layer); empty: ANONYMOUS is not offered and a peer that skips SASL is
   * refused. It names a user of the permission store (bin/wharf admin user). Without access control
   * it has no effect (amqpAnonymousEnable decides).
   */
  private String amqpGuestUser = "";

  /**
   * amqpInvisibleTimeMs: how long a message delivered to an AMQP consumer and not yet settled (or
   * settled inside a transaction still open) stays invisible to other consumers without a renewal.
   * While its link or transaction lives Wharf renews it every third of this time; only when the
   * broker dies does the time run out and the message come back. At least 3000.
   */
  private long amqpInvisibleTimeMs = 60_000;

  /**
   * amqpProducerFlowHighMark: producer flow control that follows the consumers. A producer link to
   * a queue or topic gets no more credit while a consumer link of that destination is active and
   * the messages stored there and not yet handed to that consumer's queue or subscription are more
   * than this; it gets credit again once they are at most half of it. A destination without an
   * active consumer (none attached, or none that took or settled a message for a second) never
   * holds its producers. 0 turns it off; else at least 100 (messages).
   */
  private long amqpProducerFlowHighMark = 10_000;

  /** The problems of this configuration, each naming its key; empty when it can be used. */
  public List<String> problems() {
    return problems(false);
  }

  /**
   * As {@link #problems()}; with {@code accessControl} (aclEnable=true) the users come from the
   * permission store, so a listener without amqpUsersFile and anonymous access is fine.
   */
  public List<String> problems(boolean accessControl) {
    List<String> p = new ArrayList<>();
    if (!amqpGuestUser.isEmpty()) {
      try {
        io.wharfmq.security.UserRecord.checkName(amqpGuestUser);
      } catch (IllegalArgumentException e) {
        p.add("amqpGuestUser=" + amqpGuestUser + ": " + e.getMessage());
      }
    }
    if (amqpPort < 0 || amqpPort > 65535) {
      p.add("amqpPort must be 0..65535 (0 = any free port), is " + amqpPort + "; default 5672");
    }
    if (amqpsPort < 0 || amqpsPort > 65535) {
      p.add("amqpsPort must be 0..65535 (0 = any free port), is " + amqpsPort + "; default 5671");
    } else if (amqpEnable && amqpsEnable && amqpsPort != 0 && amqpsPort == amqpPort) {
      p.add(
          "amqpPort and amqpsPort are both "
              + amqpPort
              + ": the plain and the TLS AMQP listeners need different ports");
    }
    if (amqpBindAddress == null || amqpBindAddress.isBlank()) {
      p.add("amqpBindAddress must name an interface address, e.g. 0.0.0.0 or 127.0.0.1");
    }
    if (amqpMaxFrameSize < MIN_MAX_FRAME_SIZE) {
      p.add(
          "amqpMaxFrameSize must be at least "
              + MIN_MAX_FRAME_SIZE
              + " bytes (AMQP 1.0's minimum), is "
              + amqpMaxFrameSize
              + "; default 1048576");
    }
    if (amqpIdleTimeoutMs != 0 && amqpIdleTimeoutMs < 1000) {
      p.add(
          "amqpIdleTimeoutMs must be 0 (off) or at least 1000 ms, is "
              + amqpIdleTimeoutMs
              + "; default 60000");
    }
    if (amqpOpenTimeoutMs != 0 && amqpOpenTimeoutMs < 1000) {
      p.add(
          "amqpOpenTimeoutMs must be 0 (off) or at least 1000 ms, is "
              + amqpOpenTimeoutMs
              + "; default 10000");
    }
    if (amqpWriteBufferLowWaterMark < 1024) {
      p.add(
          "amqpWriteBufferLowWaterMark must be at least 1024 bytes, is "
              + amqpWriteBufferLowWaterMark
              + "; default 32768");
    }
    if (amqpWriteBufferHighWaterMark < amqpWriteBufferLowWaterMark) {
      p.add(
          "amqpWriteBufferHighWaterMark ("
              + amqpWriteBufferHighWaterMark
              + ") must be at least amqpWriteBufferLowWaterMark ("
              + amqpWriteBufferLowWaterMark
              + "); defaults 131072 and 32768");
    }
    if (amqpMaxConnections < 1) {
      p.add("amqpMaxConnections must be at least 1, is " + amqpMaxConnections);
    }
    if (amqpMaxSessionsPerConnection < 1 || amqpMaxSessionsPerConnection > 65536) {
      p.add(
          "amqpMaxSessionsPerConnection must be 1..65536 (AMQP channels), is "
              + amqpMaxSessionsPerConnection);
    }
    if (amqpMaxLinksPerSession < 1) {
      p.add("amqpMaxLinksPerSession must be at least 1, is " + amqpMaxLinksPerSession);
    }
    if (amqpMaxMessageSize < 1024 || amqpMaxMessageSize > MAX_MAX_MESSAGE_SIZE) {
      p.add(
          "amqpMaxMessageSize must be 1024.."
              + MAX_MAX_MESSAGE_SIZE
              + " bytes (1 GiB: a message is assembled in one array), is "
              + amqpMaxMessageSize
              + "; default "
              + 4L * MIB);
    }
    if (amqpInvisibleTimeMs < 3000) {
      p.add(
          "amqpInvisibleTimeMs must be at least 3000 ms, is "
              + amqpInvisibleTimeMs
              + "; default 60000");
    }
    if (amqpProducerFlowHighMark != 0 && amqpProducerFlowHighMark < 100) {
      p.add(
          "amqpProducerFlowHighMark must be 0 (off) or at least 100 messages, is "
              + amqpProducerFlowHighMark
              + "; default 10000");
    }
    if (!amqpUsersFile.isBlank()) {
      Path f = usersFilePath();
      if (!Files.isRegularFile(f)) {
        p.add(
            "amqpUsersFile="
                + amqpUsersFile
                + ": no such file ("
                + f.toAbsolutePath().normalize()
                + "); create it with lines from bin/wharf passwd NAME, or remove the key");
      } else if (!Files.isReadable(f)) {
        p.add(
            "amqpUsersFile=" + amqpUsersFile + ": not readable by this user; fix its permissions");
      }
    } else if (!amqpAnonymousEnable && amqpEnable && !accessControl) {
      p.add(
          "amqpAnonymousEnable=false needs amqpUsersFile (no one could connect): set amqpUsersFile"
              + " to a file of lines from bin/wharf passwd NAME, or amqpAnonymousEnable=true");
    }
    return p;
  }

  /** The users file, or null when none is configured. */
  public Path usersFilePath() {
    return amqpUsersFile.isBlank() ? null : Path.of(amqpUsersFile.trim());
  }

  public boolean amqpEnable() {
    return amqpEnable;
  }

  public AmqpConfig amqpEnable(boolean v) {
    amqpEnable = v;
    return this;
  }

  public boolean amqpsEnable() {
    return amqpsEnable;
  }

  public AmqpConfig amqpsEnable(boolean v) {
    amqpsEnable = v;
    return this;
  }

  public int amqpsPort() {
    return amqpsPort;
  }

  public AmqpConfig amqpsPort(int v) {
    amqpsPort = v;
    return this;
  }

  public int amqpPort() {
    return amqpPort;
  }

  public AmqpConfig amqpPort(int v) {
    amqpPort = v;
    return this;
  }

  public String amqpBindAddress() {
    return amqpBindAddress;
  }

  public AmqpConfig amqpBindAddress(String v) {
    amqpBindAddress = v;
    return this;
  }

  public int amqpMaxFrameSize() {
    return amqpMaxFrameSize;
  }

  public AmqpConfig amqpMaxFrameSize(int v) {
    amqpMaxFrameSize = v;
    return this;
  }

  public int amqpIdleTimeoutMs() {
    return amqpIdleTimeoutMs;
  }

  public AmqpConfig amqpIdleTimeoutMs(int v) {
    amqpIdleTimeoutMs = v;
    return this;
  }

  public int amqpOpenTimeoutMs() {
    return amqpOpenTimeoutMs;
  }

  public AmqpConfig amqpOpenTimeoutMs(int v) {
    amqpOpenTimeoutMs = v;
    return this;
  }

  public int amqpWriteBufferHighWaterMark() {
    return amqpWriteBufferHighWaterMark;
  }

  public AmqpConfig amqpWriteBufferHighWaterMark(int v) {
    amqpWriteBufferHighWaterMark = v;
    return this;
  }

  public int amqpWriteBufferLowWaterMark() {
    return amqpWriteBufferLowWaterMark;
  }

  public AmqpConfig amqpWriteBufferLowWaterMark(int v) {
    amqpWriteBufferLowWaterMark = v;
    return this;
  }

  public int amqpMaxConnections() {
    return amqpMaxConnections;
  }

  public AmqpConfig amqpMaxConnections(int v) {
    amqpMaxConnections = v;
    return this;
  }

  public int amqpMaxSessionsPerConnection() {
    return amqpMaxSessionsPerConnection;
  }

  public AmqpConfig amqpMaxSessionsPerConnection(int v) {
    amqpMaxSessionsPerConnection = v;
    return this;
  }

  public int amqpMaxLinksPerSession() {
    return amqpMaxLinksPerSession;
  }

  public AmqpConfig amqpMaxLinksPerSession(int v) {
    amqpMaxLinksPerSession = v;
    return this;
  }

  public long amqpMaxMessageSize() {
    return amqpMaxMessageSize;
  }

  public AmqpConfig amqpMaxMessageSize(long v) {
    amqpMaxMessageSize = v;
    return this;
  }

  public boolean amqpAnonymousEnable() {
    return amqpAnonymousEnable;
  }

  public AmqpConfig amqpAnonymousEnable(boolean v) {
    amqpAnonymousEnable = v;
    return this;
  }

  public long amqpInvisibleTimeMs() {
    return amqpInvisibleTimeMs;
  }

  public AmqpConfig amqpInvisibleTimeMs(long v) {
    amqpInvisibleTimeMs = v;
    return this;
  }

  public String amqpUsersFile() {
    return amqpUsersFile;
  }

  public AmqpConfig amqpUsersFile(String v) {
    amqpUsersFile = v == null ? "" : v;
    return this;
  }

  public String amqpGuestUser() {
    return amqpGuestUser;
  }

  public AmqpConfig amqpGuestUser(String v) {
    amqpGuestUser = v == null ? "" : v.trim();
    return this;
  }

  /**
   * Whether peers without credentials get in: with access control, when amqpGuestUser names the
   * user they act as (and amqpAnonymousEnable is not turned off); without, as amqpAnonymousEnable
   * says.
   */
  public boolean anonymousAllowed(boolean accessControl) {
    return amqpAnonymousEnable && (!accessControl || !amqpGuestUser.isEmpty());
  }

  public long amqpProducerFlowHighMark() {
    return amqpProducerFlowHighMark;
  }

  public AmqpConfig amqpProducerFlowHighMark(long v) {
    amqpProducerFlowHighMark = v;
    return this;
  }
}
