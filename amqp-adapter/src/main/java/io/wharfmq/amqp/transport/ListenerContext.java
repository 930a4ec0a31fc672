package io.wharfmq.amqp.transport;

import io.wharfmq.amqp.sasl.UsersFile;
import io.wharfmq.service.ContainerClaims;
import io.wharfmq.service.MessagingService;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.LongSupplier;

/**
 * What every connection of one listener shares. Immutable; its parts are thread-safe.
 *
 * @param clock milliseconds of a monotonic clock (proton-j's idle-timeout ticks)
 * @param verifier where SASL password hashes are computed, off the event loops
 * @param containerId Wharf's container-id in its open frames
 * @param bufferedPeak the most bytes any one connection has held for its peer (see {@link
 *     AmqpListener#bufferedBytesPeak()})
 */
record ListenerContext(
    AmqpConfig config,
    MessagingService service,
    LinkAttacher attacher,
    UsersFile users,
    ContainerClaims containers,
    PeerLog peerLog,
    LongSupplier clock,
    Executor verifier,
    String containerId,
    LongAccumulator bufferedPeak) {}
