package io.wharfmq.remoting.protocol.body;

/** Version stamp of a broker's topic table (RocketMQ DataVersion). */
public record DataVersion(long timestamp, long counter, long stateVersion) {}
