package io.wssguard.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code redis-sentinel://} URI in Lettuce's syntax: the Sentinels to ask, the database and the
 * name of the primary they watch, {@code redis-sentinel://[user@]host[:port][,host[:port]...][/db]
 * #primary}. The client asks the Sentinels where the primary is and follows it when they fail over
 * (docs/FLEET.md). Read by the configuration's parser and by the fleet's link, so both agree.
 *
 * @param user the ACL user of the primary, or null
 * @param sentinels host and port of each Sentinel (port default 26379), in order, unresolved
 * @param database 0..65535
 * @param primary the name the Sentinels know the primary by ({@code sentinel monitor NAME ...})
 */
public record SentinelSet(
    String user, List<InetSocketAddress> sentinels, int database, String primary) {
  public static final String SCHEME = "redis-sentinel";
  public static final int DEFAULT_PORT = 26379;

  private static final String HOST = "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?";
  private static final Pattern WHOLE =
      Pattern.compile(
          "(?i:redis-sentinel)://(?:([A-Za-z0-9._~-]{1,64})@)?("
              + HOST
              + "(?:,"
              + HOST
              + ")*)(?:/([0-9]{1,5})?)?#([A-Za-z0-9._-]{1,64})");
  private static final Pattern ONE = Pattern.compile(HOST);

  public SentinelSet {
    sentinels = List.copyOf(sentinels);
  }

  /** The set {@code text} names, or null when it is not a valid {@code redis-sentinel://} URI. */
  public static SentinelSet parse(String text) {
    Matcher m = WHOLE.matcher(text);
    if (!m.matches()) {
      return null;
    }
    List<InetSocketAddress> sentinels = new ArrayList<>();
    for (String hostPort : m.group(2).split(",", -1)) {
      Matcher h = ONE.matcher(hostPort);
      if (!h.matches()) {
        return null;
      }
      int port = h.group(2) == null ? DEFAULT_PORT : Integer.parseInt(h.group(2));
      if (port < 1 || port > 65535) {
        return null;
      }
      String host = h.group(1).toLowerCase(Locale.ROOT);
      sentinels.add(InetSocketAddress.createUnresolved(host, port));
    }
    String db = m.group(m.groupCount() - 1);
    int database = db == null ? 0 : Integer.parseInt(db);
    if (database > 65535) {
      return null;
    }
    return new SentinelSet(m.group(1), sentinels, database, m.group(m.groupCount()));
  }

  /** The set in one spelling: lower-case hosts, every port and the database written out. */
  public URI uri() {
    StringBuilder s = new StringBuilder(SCHEME).append("://");
    if (user != null) {
      s.append(user).append('@');
    }
    for (int i = 0; i < sentinels.size(); i++) {
      InetSocketAddress a = sentinels.get(i);
      s.append(i == 0 ? "" : ",").append(a.getHostString()).append(':').append(a.getPort());
    }
    return URI.create(s.append('/').append(database).append('#').append(primary).toString());
  }
}
