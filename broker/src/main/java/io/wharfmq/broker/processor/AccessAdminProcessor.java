package io.wharfmq.broker.processor;

import io.wharfmq.broker.auth.AccessStore;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.RequestSignature;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.AclInfo;
import io.wharfmq.remoting.protocol.body.UserInfo;
import io.wharfmq.security.UserRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RocketMQ 5's ACL 2.0 administration, as {@code mqadmin createUser/getAcl/...} and {@code
 * bin/wharf admin user/acl} send it, answered from the broker's permission store: AUTH_CREATE_USER
 * to AUTH_LIST_ACL (3001-3010; headers {@code username}, {@code filter}, {@code subject}, {@code
 * resource}, {@code subjectFilter}, {@code resourceFilter}; bodies {@link UserInfo} and {@link
 * AclInfo}; docs/protocol.md). Differences from RocketMQ: a user's password is never answered, and
 * a subject's permissions live on its user, so an ACL for a user that does not exist is refused.
 * Only a super user may create, change or delete a super user when access control is on. Runs on
 * the manage pool (every change writes acl.json); thread-safe (the store serializes changes).
 */
public final class AccessAdminProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(AccessAdminProcessor.class);

  /** The request codes this processor serves. */
  public static final int[] CODES = {
    RequestCode.AUTH_CREATE_USER,
    RequestCode.AUTH_UPDATE_USER,
    RequestCode.AUTH_DELETE_USER,
    RequestCode.AUTH_GET_USER,
    RequestCode.AUTH_LIST_USER,
    RequestCode.AUTH_CREATE_ACL,
    RequestCode.AUTH_UPDATE_ACL,
    RequestCode.AUTH_DELETE_ACL,
    RequestCode.AUTH_GET_ACL,
    RequestCode.AUTH_LIST_ACL
  };

  private final AccessStore store;

  public AccessAdminProcessor(AccessStore store) {
    this.store = store;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    try {
      return switch (request.code()) {
        case RequestCode.AUTH_CREATE_USER -> createUser(channel, request);
        case RequestCode.AUTH_UPDATE_USER -> updateUser(channel, request);
        case RequestCode.AUTH_DELETE_USER -> deleteUser(channel, request);
        case RequestCode.AUTH_GET_USER -> getUser(request);
        case RequestCode.AUTH_LIST_USER -> listUsers(request);
        case RequestCode.AUTH_CREATE_ACL, RequestCode.AUTH_UPDATE_ACL -> putAcl(channel, request);
        case RequestCode.AUTH_DELETE_ACL -> deleteAcl(channel, request);
        case RequestCode.AUTH_GET_ACL -> getAcl(request);
        default -> listAcls(request);
      };
    } catch (IllegalArgumentException | Headers.BadRequestException e) {
      log.warn(
          "request {} from {} ({}) refused: {}",
          request.code(),
          channel.remoteAddress(),
          requesterText(request),
          e.getMessage());
      return RemotingCommand.responseTo(request, ResponseCode.INVALID_PARAMETER, e.getMessage());
    } catch (SuperUserOnly e) {
      log.warn(
          "request {} from {} ({}) refused: {}",
          request.code(),
          channel.remoteAddress(),
          requesterText(request),
          e.getMessage());
      return RemotingCommand.responseTo(request, ResponseCode.NO_PERMISSION, e.getMessage());
    } catch (IOException e) {
      log.error("could not write the permission file for request {}", request.code(), e);
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "could not write the permission file: " + e);
    }
  }

  private RemotingCommand createUser(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    String name = Headers.string(request, "username");
    UserInfo info = RemotingJson.decode(request.body(), UserInfo.class);
    boolean superUser = AccessBodies.superUser(info.userType(), false);
    boolean enabled = AccessBodies.enabled(info.userStatus(), true);
    requireSuperFor(request, superUser, "create a super user");
    store.update(
        users -> {
          if (find(users, name).isPresent()) {
            throw new IllegalArgumentException("the user '" + name + "' exists");
          }
          users.add(
              UserRecord.create(name, info.password(), superUser, store.sealer(), store.random())
                  .withFlags(superUser, enabled));
          return users;
        });
    log.info("user '{}' created by {} ({})", name, requesterText(request), channel.remoteAddress());
    return ok(request);
  }

  private RemotingCommand updateUser(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    String name = Headers.string(request, "username");
    UserInfo info = RemotingJson.decode(request.body(), UserInfo.class);
    UserRecord old =
        find(store.registry().users(), name)
            .orElseThrow(
                () -> new IllegalArgumentException("the user '" + name + "' does not exist"));
    boolean superUser = AccessBodies.superUser(info.userType(), old.superUser());
    requireSuperFor(request, superUser || old.superUser(), "change a super user");
    store.update(
        users -> {
          int i = indexOf(users, name);
          if (i < 0) {
            throw new IllegalArgumentException("the user '" + name + "' does not exist");
          }
          UserRecord u = users.get(i);
          if (info.password() != null && !info.password().isEmpty()) {
            u = u.withPassword(info.password(), store.sealer(), store.random());
          }
          users.set(
              i, u.withFlags(superUser, AccessBodies.enabled(info.userStatus(), u.enabled())));
          return users;
        });
    log.info("user '{}' changed by {} ({})", name, requesterText(request), channel.remoteAddress());
    return ok(request);
  }

  private RemotingCommand deleteUser(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    String name = Headers.string(request, "username");
    Optional<UserRecord> old = find(store.registry().users(), name);
    if (old.isEmpty()) {
      return ok(request); // as RocketMQ: deleting a user that is not there succeeds
    }
    requireSuperFor(request, old.get().superUser(), "delete a super user");
    store.update(
        users -> {
          users.removeIf(u -> u.name().equals(name));
          return users;
        });
    log.info("user '{}' deleted by {} ({})", name, requesterText(request), channel.remoteAddress());
    return ok(request);
  }

  private RemotingCommand getUser(RemotingCommand request) {
    String name = Headers.string(request, "username");
    RemotingCommand response = ok(request);
    find(store.registry().users(), name)
        .ifPresent(u -> response.body(RemotingJson.encode(AccessBodies.userInfo(u))));
    return response;
  }

  private RemotingCommand listUsers(RemotingCommand request) {
    String filter = request.get("filter");
    List<UserInfo> out = new ArrayList<>();
    for (UserRecord u : store.registry().users()) {
      if (filter == null || filter.isBlank() || u.name().contains(filter.trim())) {
        out.add(AccessBodies.userInfo(u));
      }
    }
    return ok(request).body(RemotingJson.encode(out));
  }

  private RemotingCommand putAcl(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    AclInfo info = RemotingJson.decode(request.body(), AclInfo.class);
    String subject = info.subject() != null ? info.subject() : Headers.string(request, "subject");
    String name = AccessBodies.userOfSubject(subject);
    List<io.wharfmq.security.Policy> given = AccessBodies.policies(info);
    store.update(
        users -> {
          int i = indexOf(users, name);
          if (i < 0) {
            throw new IllegalArgumentException(
                "the subject '" + subject + "' does not exist: create the user first");
          }
          users.set(
              i, users.get(i).withPolicies(AccessBodies.merge(users.get(i).policies(), given)));
          return users;
        });
    log.info(
        "permissions of '{}' set by {} ({}): {}",
        name,
        requesterText(request),
        channel.remoteAddress(),
        given);
    return ok(request);
  }

  private RemotingCommand deleteAcl(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    String subject = Headers.string(request, "subject");
    String name = AccessBodies.userOfSubject(subject);
    String resource = request.get("resource");
    store.update(
        users -> {
          int i = indexOf(users, name);
          if (i >= 0) {
            UserRecord u = users.get(i);
            users.set(i, u.withPolicies(AccessBodies.without(u.policies(), resource)));
          }
          return users;
        });
    log.info(
        "permissions of '{}' on {} deleted by {} ({})",
        name,
        resource == null || resource.isBlank() ? "every resource" : resource,
        requesterText(request),
        channel.remoteAddress());
    return ok(request);
  }

  private RemotingCommand getAcl(RemotingCommand request) {
    String name = AccessBodies.userOfSubject(Headers.string(request, "subject"));
    RemotingCommand response = ok(request);
    find(store.registry().users(), name)
        .filter(u -> !u.policies().isEmpty())
        .ifPresent(u -> response.body(RemotingJson.encode(AccessBodies.aclInfo(u, null))));
    return response;
  }

  private RemotingCommand listAcls(RemotingCommand request) {
    String subjectFilter = request.get("subjectFilter");
    String resourceFilter = request.get("resourceFilter");
    List<AclInfo> out = new ArrayList<>();
    for (UserRecord u : store.registry().users()) {
      if (subjectFilter != null
          && !subjectFilter.isBlank()
          && !AccessBodies.subjectOf(u.name()).contains(subjectFilter.trim())) {
        continue;
      }
      AclInfo acl = AccessBodies.aclInfo(u, resourceFilter);
      if (acl != null) {
        out.add(acl);
      }
    }
    return ok(request).body(RemotingJson.encode(out));
  }

  /**
   * With access control on, only a super user may touch super users: an admin with Admin on the
   * cluster must not be able to make itself one.
   */
  private void requireSuperFor(RemotingCommand request, boolean touchesSuper, String what) {
    if (!touchesSuper || !store.enabled()) {
      return;
    }
    String requester = RequestSignature.accessKey(request);
    boolean isSuper =
        requester != null
            && store.registry().user(requester).map(UserRecord::superUser).orElse(false);
    if (!isSuper) {
      throw new SuperUserOnly("only a super user may " + what);
    }
  }

  private static String requesterText(RemotingCommand request) {
    String who = RequestSignature.accessKey(request);
    return who == null ? "unsigned" : "user '" + who + "'";
  }

  private static Optional<UserRecord> find(List<UserRecord> users, String name) {
    return users.stream().filter(u -> u.name().equals(name)).findFirst();
  }

  private static int indexOf(List<UserRecord> users, String name) {
    for (int i = 0; i < users.size(); i++) {
      if (users.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static RemotingCommand ok(RemotingCommand request) {
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /** A change to a super user asked by someone who is not one. */
  private static final class SuperUserOnly extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SuperUserOnly(String message) {
      super(message);
    }
  }
}
