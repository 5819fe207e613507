package io.wssguard.config;

import static io.wssguard.config.MinimalConfig.MINIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster block: absent by default, its URIs normalised, its errors with positions. */
class ClusterConfigParserTest {
  @TempDir Path dir;

  private ProxyConfig parse(String yaml) throws ConfigException {
    return ConfigParser.parse(yaml, "test.yaml", dir);
  }

  private String errors(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void absentBlock_isAProxyOnItsOwn() throws Exception {
    assertNull(parse(MINIMAL).cluster());
  }

  @Test
  void oneUri_withDefaults() throws Exception {
    ClusterConfig c =
        parse(MINIMAL + "cluster:\n  redis: redis://Redis.Example:6390\n  node: gw-fra-1\n")
            .cluster();
    assertEquals(List.of(URI.create("redis://redis.example:6390/0")), c.redis());
    assertEquals("gw-fra-1", c.node());
    assertNull(c.passwordFile());
    assertEquals("wssguard", c.keyPrefix());
  }

  @Test
  void everyKey_andAListOfUris() throws Exception {
    ClusterConfig c =
        parse(
                MINIMAL
                    + "cluster:\n"
                    + "  redis: [rediss://wssguard@10.0.0.5/2, 'redis://[::1]:6379']\n"
                    + "  node: gw-2\n"
                    + "  passwordFile: secrets/redis.password\n"
                    + "  keyPrefix: eu:wssguard\n")
            .cluster();
    assertEquals(
        List.of(
            URI.create("rediss://wssguard@10.0.0.5:6379/2"), URI.create("redis://[::1]:6379/0")),
        c.redis());
    assertEquals(
        dir.toAbsolutePath().normalize().resolve("secrets/redis.password"), c.passwordFile());
    assertEquals("eu:wssguard", c.keyPrefix());
  }

  @Test
  void badValues_areReportedWithPositions() {
    assertEquals(
        "test.yaml:10:3: cluster: missing required key 'node'\n"
            + "test.yaml:10:10: cluster.redis: http://10.0.0.5 (expected: redis:// or rediss:// URI"
            + " with host, like redis://10.0.0.5:6379/0; port 1..65535; database 0..65535; a user"
            + " name at most (the password goes in cluster.passwordFile); no query or fragment)",
        errors(MINIMAL + "cluster:\n  redis: http://10.0.0.5\n").strip());
  }

  @Test
  void passwordInUri_isRefused_pointingAtThePasswordFile() {
    assertEquals(
        "test.yaml:10:10: cluster.redis: a password in the URI (expected: the user name only; the"
            + " password goes in cluster.passwordFile, so it stays out of the configuration)",
        errors(MINIMAL + "cluster:\n  redis: redis://u:secret@10.0.0.5\n  node: a\n").strip());
  }

  @Test
  void repeatedUri_nodeNamePrefixAndUnknownKeys_areChecked() {
    assertEquals(
        "test.yaml:10:29: cluster.redis[1]: redis://10.0.0.5:6379/0 (already listed as"
            + " cluster.redis[0])\n"
            + "test.yaml:11:9: cluster.node: GW 1 (expected: name made of a-z, 0-9 and -)\n"
            + "test.yaml:12:14: cluster.keyPrefix: a b (expected: 1..64 of A-Z, a-z, 0-9 and : ."
            + " _ -)\n"
            + "test.yaml:13:3: unknown key 'sentinel' in cluster (expected one of: redis, node,"
            + " passwordFile, keyPrefix, syncInterval)",
        errors(
                MINIMAL
                    + "cluster:\n"
                    + "  redis: [redis://10.0.0.5, redis://10.0.0.5:6379/0]\n"
                    + "  node: GW 1\n"
                    + "  keyPrefix: a b\n"
                    + "  sentinel: x\n")
            .strip());
  }

  @Test
  void sentinelSet_andFailoverList_areAccepted_inOneSpelling() throws Exception {
    ClusterConfig c =
        parse(
                MINIMAL
                    + "cluster:\n"
                    + "  redis:\n"
                    + "    - redis-sentinel://wssguard@S1.example,10.0.0.6:26380/3#wssguard-eu\n"
                    + "    - redis://10.0.0.9\n"
                    + "  node: gw-1\n"
                    + "  syncInterval: 100ms\n")
            .cluster();
    assertEquals(
        List.of(
            URI.create("redis-sentinel://wssguard@s1.example:26379,10.0.0.6:26380/3#wssguard-eu"),
            URI.create("redis://10.0.0.9:6379/0")),
        c.redis());
    assertEquals(java.time.Duration.ofMillis(100), c.syncInterval());
    assertEquals(
        ClusterConfig.DEFAULT_SYNC_INTERVAL,
        parse(MINIMAL + "cluster:\n  redis: redis://10.0.0.9\n  node: gw-1\n")
            .cluster()
            .syncInterval());
  }

  @Test
  void badSentinelUris_andSyncInterval_areReportedWithPositions() {
    assertEquals(
        "test.yaml:11:7: cluster.redis[0]: redis-sentinel://10.0.0.5:26379 (expected:"
            + " redis-sentinel://[user@]host[:port][,host[:port]...][/database]#primary, like"
            + " redis-sentinel://10.0.0.5:26379,10.0.0.6:26379/0#wssguard; port default 26379,"
            + " database 0..65535, primary 1..64 of A-Z a-z 0-9 . _ -)\n"
            + "test.yaml:12:7: cluster.redis[1]: a password in the URI (expected: the user name"
            + " only; the password goes in cluster.passwordFile, so it stays out of the"
            + " configuration)\n"
            + "test.yaml:14:17: cluster.syncInterval: 1s (expected: duration like 5s, 10 ms..250 ms)",
        errors(
                MINIMAL
                    + "cluster:\n"
                    + "  redis:\n"
                    + "    - redis-sentinel://10.0.0.5:26379\n"
                    + "    - redis-sentinel://u:secret@10.0.0.5#p\n"
                    + "  node: gw-1\n"
                    + "  syncInterval: 1s\n")
            .strip());
  }
}
