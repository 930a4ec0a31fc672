package io.wharfmq.amqp.transport;

import io.wharfmq.amqp.sasl.SaslAuthenticator;
import io.wharfmq.security.AccessControl;
import io.wharfmq.service.ContainerClaims;
import io.wharfmq.service.MessagingService;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.LongSupplier;

/**
 * What every connection of one listener shares. Immutable; its parts are thread-safe.
 *
 * @param clock milliseconds of a monotonic clock (proton-j's idle-timeout ticks)
 * @param sasl the logins, mechanisms and failure throttle every connection's SASL shares
 * @param access the users and permissions when access control is on ({@link AccessControl#off()}
 *     otherwise)
 * @param guestUser the user anonymous peers act as under access control, or null
 * @param containerId Wharf's container-id in its open frames
 * @param bufferedPeak the most bytes any one connection has held for its peer (see {@link
 *     AmqpListener#bufferedBytesPeak()})
 */
record ListenerContext(
    AmqpConfig config,
    MessagingService service,
    LinkAttacher attacher,
    SaslAuthenticator.Settings sasl,
    AccessControl access,
    String guestUser,
    ContainerClaims containers,
    PeerLog peerLog,
    LongSupplier clock,
    String containerId,
    LongAccumulator bufferedPeak) {}
