package io.wharfmq.service;

/**
 * The answer to a declare: what now exists, and whether this call created it ({@code false}: an
 * equivalent one was there already).
 */
public record Declared<T>(T value, boolean created) {}
