package io.wharfmq.remoting.protocol.body;

import java.util.List;

/** The body of a GET_CONSUMER_LIST_BY_GROUP response. */
public record ConsumerIdList(List<String> consumerIdList) {}
