package io.wharfmq.client;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who this client is: its client id ("ip@pid#n", unique per client object in the JVM, as brokers
 * tell group members apart by it) and the generator of message ids (UNIQ_KEY, RocketMQ's format:
 * client IP, pid, class-loader hash, ms since the start of the month, counter; 32 upper-case hex
 * characters for IPv4). Thread-safe.
 */
final class ClientIdentity {
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final byte[] IP = localIpv4();
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private final String clientId;
  private final String idPrefix;
  private final InstantSource clock;
  private final AtomicInteger counter = new AtomicInteger();
  private long monthStart;
  private long nextMonthStart;

  ClientIdentity(InstantSource clock) {
    this.clock = clock;
    long pid = ProcessHandle.current().pid();
    this.clientId = ipString() + "@" + pid + "#" + INSTANCES.incrementAndGet();
    ByteBuffer prefix = ByteBuffer.allocate(10);
    prefix.put(IP).putShort((short) pid).putInt(ClientIdentity.class.getClassLoader().hashCode());
    this.idPrefix = HEX.formatHex(prefix.array());
  }

  String clientId() {
    return clientId;
  }

  /** A new message id. */
  String nextMessageId() {
    long now = clock.millis();
    long since;
    synchronized (this) {
      if (now >= nextMonthStart || now < monthStart) {
        ZonedDateTime start =
            ZonedDateTime.ofInstant(clock.instant(), ZoneId.systemDefault())
                .withDayOfMonth(1)
                .toLocalDate()
                .atStartOfDay(ZoneId.systemDefault());
        monthStart = start.toInstant().toEpochMilli();
        nextMonthStart = start.plusMonths(1).toInstant().toEpochMilli();
      }
      since = now - monthStart;
    }
    ByteBuffer b = ByteBuffer.allocate(6);
    b.putInt((int) since).putShort((short) counter.getAndIncrement());
    return idPrefix + HEX.formatHex(b.array());
  }

  private static String ipString() {
    return (IP[0] & 0xFF) + "." + (IP[1] & 0xFF) + "." + (IP[2] & 0xFF) + "." + (IP[3] & 0xFF);
  }

  private static byte[] localIpv4() {
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!ni.isUp() || ni.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
            return a.getAddress();
          }
        }
      }
    } catch (SocketException e) {
      // Fall through to loopback: ids stay unique per process, only less informative.
    }
    return new byte[] {127, 0, 0, 1};
  }
}
