package io.wharfmq.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The addresses a permission applies to: one address ({@code 10.1.2.3}, {@code ::1}), a CIDR block
 * ({@code 10.0.0.0/8}, {@code fd00::/8}) or RocketMQ's octet wildcard ({@code 192.168.1.*}). Host
 * names are refused: a permission must not depend on DNS. Immutable.
 */
public record SourceRange(String text, byte[] network, int bits) {
  public static SourceRange parse(String text) {
    String t = text.trim();
    String addr = t;
    int bits = -1;
    if (t.endsWith(".*")) {
      String[] parts = t.split("\\.", -1);
      int fixed = 0;
      while (fixed < parts.length && !parts[fixed].equals("*")) {
        fixed++;
      }
      for (int i = fixed; i < parts.length; i++) {
        if (!parts[i].equals("*")) {
          throw new IllegalArgumentException("source '" + text + "': '*' may only end it");
        }
      }
      if (parts.length != 4) {
        throw new IllegalArgumentException("source '" + text + "' must have four octets");
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        sb.append(i > 0 ? "." : "").append(i < fixed ? parts[i] : "0");
      }
      addr = sb.toString();
      bits = fixed * 8;
    } else {
      int slash = t.indexOf('/');
      if (slash >= 0) {
        addr = t.substring(0, slash);
        try {
          bits = Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("source '" + text + "': bad prefix length");
        }
      }
    }
    if (!addr.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
      throw new IllegalArgumentException(
          "source '" + text + "' must be an IP address, a CIDR block or a.b.c.* (no host names)");
    }
    byte[] network;
    try {
      network = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("source '" + text + "' is not an IP address");
    }
    int max = network.length * 8;
    if (bits < 0) {
      bits = max;
    }
    if (bits > max) {
      throw new IllegalArgumentException("source '" + text + "': prefix longer than " + max);
    }
    return new SourceRange(t, network, bits);
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    return text;
  }
}
