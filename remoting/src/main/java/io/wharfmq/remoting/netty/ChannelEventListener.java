package io.wharfmq.remoting.netty;

/** Told when a connection closes (or is closed for idleness). Called on a Netty event loop. */
@FunctionalInterface
public interface ChannelEventListener {
  void onClose(RemotingChannel channel);
}
