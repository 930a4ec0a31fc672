package io.wharfmq.remoting.protocol.body;

import java.util.Set;

/** The body of a QUERY_ASSIGNMENT answer. */
public record QueryAssignmentResponseBody(Set<MessageQueueAssignment> messageQueueAssignments) {}
