package io.wssguard.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The fleet this proxy belongs to (docs/FLEET.md): the Redis it shares bans through and its own
 * name there. Absent from a configuration, nothing of the fleet runs.
 *
 * @param redis where the fleet's Redis answers, tried in order (a replica to fail over to comes
 *     after the primary): {@code redis://} or {@code rediss://} (TLS), host, port, an optional
 *     database {@code /N} and an optional user name; never a password
 * @param node this proxy's name in the fleet, unique among the nodes: it marks the bans it makes
 * @param passwordFile the file holding the Redis password (AUTH, or the ACL user's password with a
 *     user in the URI), or {@code null} for none; read at start
 * @param keyPrefix the namespace of the fleet's keys and channel in a shared Redis
 * @param syncInterval how often the node publishes its usage of {@code scope: fleet} budgets and
 *     its heartbeat, and reads the other nodes': the fleet's overshoot of a shared budget is
 *     bounded by one interval's worth per node (docs/FLEET.md)
 */
public record ClusterConfig(
    List<URI> redis, String node, Path passwordFile, String keyPrefix, Duration syncInterval) {
  public static final String DEFAULT_KEY_PREFIX = "wssguard";
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(250);
  public static final Duration MIN_SYNC_INTERVAL = Duration.ofMillis(10);
  public static final Duration MAX_SYNC_INTERVAL = Duration.ofMillis(250);

  /** Node names: DNS-label-like, so they read well in logs, metrics and keys. */
  public static final Pattern NODE = Pattern.compile("[a-z0-9-]{1,63}");

  public ClusterConfig {
    redis = List.copyOf(redis);
    if (redis.isEmpty()) {
      throw new IllegalArgumentException("cluster.redis: at least one URI");
    }
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    Objects.requireNonNull(syncInterval, "syncInterval");
    if (!NODE.matcher(node).matches()) {
      throw new IllegalArgumentException("cluster.node: '" + node + "' (expected: [a-z0-9-]+)");
    }
  }
}
