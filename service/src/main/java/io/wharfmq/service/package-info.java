/**
 * The protocol-neutral messaging service: {@link io.wharfmq.service.MessagingService} and its typed
 * commands and results. Every protocol door (RocketMQ remoting, AMQP 1.0, later a gateway) calls
 * this interface; nothing in it knows a wire format. See docs/architecture.md.
 */
package io.wharfmq.service;
