package io.wharfmq.remoting.netty;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Rate limit for warnings a peer can cause (garbage frames, unknown request codes): at most {@code
 * perPeer} lines per peer address (host, not port: every garbage connection has a new port) and
 * {@code overall} lines for all peers together in each window. What is held back is counted; the
 * count goes out with the peer's next line that is let through, or with {@link #drainSuppressed}
 * once the peer's window has ended, so an operator always learns how much was not written. Memory
 * is bounded: at most {@code maxPeers} peers are tracked; beyond that new peers share the overall
 * budget only. Thread-safe (one lock; only bad input takes it).
 */
public final class PeerWarningLimiter {
  /** 10 lines per peer and 100 lines in all per minute. */
  public static final int DEFAULT_PER_PEER = 10;

  public static final int DEFAULT_OVERALL = 100;
  public static final long DEFAULT_WINDOW_MILLIS = 60_000;
  static final int MAX_PEERS = 10_000;

  /** Peers whose held-back lines are due to be reported, with the counts. */
  public record Suppressed(String peer, long count) {}

  private static final class Window {
    long start;
    int logged;
    long suppressed;

    Window(long start) {
      this.start = start;
    }
  }

  private final InstantSource clock;
  private final int perPeer;
  private final int overall;
  private final long windowMillis;
  private final Map<String, Window> peers = new HashMap<>();
  private Window all;
  private long untrackedSuppressed;

  public PeerWarningLimiter(InstantSource clock, int perPeer, int overall, long windowMillis) {
    if (perPeer < 1 || overall < perPeer || windowMillis < 1) {
      throw new IllegalArgumentException("need 1 <= perPeer <= overall and windowMillis >= 1");
    }
    this.clock = clock;
    this.perPeer = perPeer;
    this.overall = overall;
    this.windowMillis = windowMillis;
    this.all = new Window(clock.millis());
  }

  /** The defaults on the system clock. */
  public static PeerWarningLimiter defaults() {
    return new PeerWarningLimiter(
        InstantSource.system(), DEFAULT_PER_PEER, DEFAULT_OVERALL, DEFAULT_WINDOW_MILLIS);
  }

  public int perPeer() {
    return perPeer;
  }

  public int overall() {
    return overall;
  }

  public long windowMillis() {
    return windowMillis;
  }

  /**
   * Asks to write one warning about {@code peer}. Returns -1 if it must be held back (it is
   * counted), else how many lines about this peer were held back since its last line (0 usually),
   * for the caller to mention.
   */
  public synchronized long admit(String peer) {
    long now = clock.millis();
    if (now - all.start >= windowMillis) {
      all = new Window(now);
    }
    Window w = peers.get(peer);
    if (w == null) {
      if (peers.size() >= MAX_PEERS) {
        evictQuiet(now);
      }
      if (peers.size() < MAX_PEERS) {
        w = new Window(now);
        peers.put(peer, w);
      }
    } else if (now - w.start >= windowMillis) {
      w.start = now;
      w.logged = 0;
    }
    boolean peerFull = w == null ? false : w.logged >= perPeer;
    if (peerFull || all.logged >= overall) {
      if (w != null) {
        w.suppressed++;
      } else {
        untrackedSuppressed++;
      }
      return -1;
    }
    all.logged++;
    if (w == null) {
      return 0;
    }
    w.logged++;
    long held = w.suppressed;
    w.suppressed = 0;
    return held;
  }

  /**
   * Takes the counts of held-back lines of every peer whose window has ended (the limit has lifted
   * but the peer has not caused another line) and forgets quiet peers. Call periodically and log
   * the result.
   */
  public synchronized List<Suppressed> drainSuppressed() {
    long now = clock.millis();
    List<Suppressed> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, Window>> it = peers.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Window> e = it.next();
      Window w = e.getValue();
      if (now - w.start >= windowMillis) {
        if (w.suppressed > 0) {
          out.add(new Suppressed(e.getKey(), w.suppressed));
        }
        it.remove();
      }
    }
    if (untrackedSuppressed > 0) {
      out.add(new Suppressed("other peers", untrackedSuppressed));
      untrackedSuppressed = 0;
    }
    return out;
  }

  private void evictQuiet(long now) {
    peers.values().removeIf(w -> w.suppressed == 0 && now - w.start >= windowMillis);
  }
}
