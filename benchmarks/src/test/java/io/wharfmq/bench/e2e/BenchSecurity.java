package io.wharfmq.bench.e2e;

import java.util.List;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.remoting.RPCHook;

/**
 * The security settings of one benchmark broker, read from its kind: {@code wharf-acl} or {@code
 * rocketmq-acl} turn access control on, a kind without a suffix is the plain broker. A broker with
 * access control gets two users: a super user that creates the topic (Wharf's {@code aclInitUser},
 * RocketMQ 5.3's {@code initAuthenticationUser}) and the normal user {@link #USER} the producers
 * and consumers sign as, allowed Pub and Sub on {@code Topic:*} and {@code Group:*}. A normal user,
 * not the super user, because both brokers skip the permission evaluation for a super user: the
 * measured path is the one an application's requests take. Immutable.
 *
 * <p>TLS targets would add a {@code -tls} suffix here (pending: see docs/performance.md).
 */
record BenchSecurity(boolean acl) {
  static final BenchSecurity PLAIN = new BenchSecurity(false);

  /** The normal user (access key) of the benchmark's clients on both brokers, and its secret. */
  static final String USER = "bench";

  static final String PASSWORD = "bench-secret";

  /** Wharf's super user (aclInitUser / aclInitPassword). */
  static final String WHARF_ADMIN = "wharf-admin";

  static final String WHARF_ADMIN_PASSWORD = "wharf-admin-secret";

  /** RocketMQ's super user, as in its ACL 2.0 documentation's quick start. */
  static final String ROCKETMQ_ADMIN = "rocketmq";

  static final String ROCKETMQ_ADMIN_PASSWORD = "12345678";

  /** The permissions of {@link #USER}: resource pattern and actions, on both brokers. */
  static final List<String> RESOURCES = List.of("Topic:*", "Group:*");

  static final List<String> ACTIONS = List.of("Pub", "Sub");

  private static final String ACL_SUFFIX = "-acl";

  /** The settings a broker kind or target name asks for. */
  static BenchSecurity of(String kind) {
    return kind.endsWith(ACL_SUFFIX) ? new BenchSecurity(true) : PLAIN;
  }

  /** The broker kind without its security suffix: "wharf", "rocketmq" or "rocketmq-pop". */
  static String product(String kind) {
    return kind.endsWith(ACL_SUFFIX)
        ? kind.substring(0, kind.length() - ACL_SUFFIX.length())
        : kind;
  }

  /** The signing hook of the benchmark's producers and consumers; null without access control. */
  RPCHook clientHook() {
    return acl ? new AclClientRPCHook(new SessionCredentials(USER, PASSWORD)) : null;
  }

  /** The signing hook of the admin client that creates topics on {@code kind}; null when plain. */
  RPCHook adminHook(String kind) {
    if (!acl) {
      return null;
    }
    return product(kind).startsWith("wharf")
        ? new AclClientRPCHook(new SessionCredentials(WHARF_ADMIN, WHARF_ADMIN_PASSWORD))
        : new AclClientRPCHook(new SessionCredentials(ROCKETMQ_ADMIN, ROCKETMQ_ADMIN_PASSWORD));
  }
}
