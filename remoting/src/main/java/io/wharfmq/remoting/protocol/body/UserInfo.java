package io.wharfmq.remoting.protocol.body;

/**
 * One user as RocketMQ 5's ACL 2.0 requests carry it (AUTH_CREATE_USER, AUTH_UPDATE_USER bodies;
 * AUTH_GET_USER, AUTH_LIST_USER answers): {@code userType} "Super" or "Normal", {@code userStatus}
 * "enable" or "disable". Wharf never answers with a password (null, left out of the JSON).
 */
public record UserInfo(String username, String password, String userType, String userStatus) {}
