package io.wharfmq.service;

/**
 * Outcome of an invisibility change.
 *
 * @param receipt the receipt that names the delivery from now on (OK only), else null
 */
public record ChangeResult(AckStatus status, Receipt receipt) {}
