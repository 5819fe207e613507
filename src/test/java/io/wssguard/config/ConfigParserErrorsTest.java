package io.wssguard.config;

import static io.wssguard.config.MinimalConfig.MINIMAL;
import static io.wssguard.config.MinimalConfig.replaceLine;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of config error, asserted as the whole printed line including its position. */
class ConfigParserErrorsTest {
  @TempDir Path dir;

  private String errors(String yaml) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigParser.parse(yaml, "test.yaml", dir));
    return e.getMessage();
  }

  // ---- structure ----

  @Test
  void rejectsUnknownKey_listingTheValidOnes() {
    assertEquals(
        "test.yaml:9:5: unknown key 'maxPayload' in routes[0] (expected one of: path, host, backend,"
            + " permessageDeflate, maxMessageBytes, policy, normalizePath)",
        errors(MINIMAL + "    maxPayload: 1MiB\n"));
  }

  @Test
  void rejectsUnknownTopLevelKey() {
    assertEquals(
        "test.yaml:9:1: unknown key 'limit' (expected one of: listeners, backends, routes, timeouts,"
            + " demoBackend, policies, bans, admin, limits, cluster, record)",
        errors(MINIMAL + "limit: {}\n"));
  }

  @Test
  void rejectsMaxConnectionsBelowOne() {
    assertEquals(
        "test.yaml:9:26: limits.maxConnections: 0 (expected: integer 1..10000000)",
        errors(MINIMAL + "limits: {maxConnections: 0}\n"));
  }

  @Test
  void rejectsRecordSampleOutsideZeroToOne() {
    assertEquals(
        "test.yaml:9:33: record.sample: 1.5 (expected: decimal more than 0, at most 1.0)",
        errors(MINIMAL + "record: {dir: traffic/, sample: 1.5}\n"));
    assertEquals(
        "test.yaml:9:33: record.sample: 0 (expected: decimal more than 0, at most 1.0)",
        errors(MINIMAL + "record: {dir: traffic/, sample: 0}\n"));
  }

  @Test
  void rejectsRecordMaxBytesBelowOneMebibyte_andAMissingDir() {
    assertEquals(
        "test.yaml:9:9: record: missing required key 'dir'\n"
            + "test.yaml:9:20: record.maxBytes: 64KiB (expected: size in B, KiB, MiB or GiB like"
            + " 64KiB, 1 MiB..1024 GiB)",
        errors(MINIMAL + "record: {maxBytes: 64KiB}\n"));
  }

  @Test
  void rejectsUnknownKeyInLimits() {
    assertEquals(
        "test.yaml:9:10: unknown key 'maxConns' in limits (expected one of: maxConnections)",
        errors(MINIMAL + "limits: {maxConns: 5}\n"));
  }

  @Test
  void rejectsDuplicateKey_namingTheFirstLine() {
    assertEquals(
        "test.yaml:4:5: duplicate key 'name' in listeners[0] (first at line 2)",
        errors(
            replaceLine(
                "    bind: 127.0.0.1:8443\n", "    bind: 127.0.0.1:8443\n    name: other\n")));
  }

  @Test
  void rejectsDuplicateTopLevelKey() {
    assertEquals(
        "test.yaml:9:1: duplicate key 'routes' (first at line 7)",
        errors(MINIMAL + "routes: []\n"));
  }

  @Test
  void rejectsNonScalarKey() {
    assertEquals(
        "test.yaml:9:7: key must be a plain name in routes[0] (expected one of: path, host, backend,"
            + " permessageDeflate, maxMessageBytes, policy, normalizePath)",
        errors(MINIMAL + "    ? [a, b]\n    : x\n"));
  }

  @Test
  void reportsMissingRequiredKey_atTheMapping() {
    assertEquals(
        "test.yaml:8:5: routes[0]: missing required key 'backend'",
        errors(replaceLine("  - backend: demo\n", "  - path: /chat\n")));
  }

  @Test
  void reportsMissingTopLevelKey_atTheStart() {
    assertEquals(
        "test.yaml:1:1: missing required key 'routes'",
        errors(replaceLine("routes:\n  - backend: demo\n", "")));
  }

  @Test
  void rejectsScalarWhereListExpected() {
    assertEquals(
        "test.yaml:1:12: listeners: public (expected: list of listeners)",
        errors(
            replaceLine(
                "listeners:\n  - name: public\n    bind: 127.0.0.1:8443\n",
                "listeners: public\n")));
  }

  @Test
  void rejectsProxyProtocolWithoutTrustedSenders() {
    String yaml =
        """
        listeners:
          - name: lb
            bind: 127.0.0.1:9443
            proxyProtocol: {trusted: []}
        backends:
          b:
            servers: [ws://127.0.0.1:9000/]
        routes:
          - backend: b
        """;
    assertEquals(
        "test.yaml:4:30: listeners[0].proxyProtocol.trusted: [] (expected: at least one address block of the"
            + " load balancers that send PROXY headers)",
        errors(yaml));
  }

  @Test
  void rejectsScalarWhereMappingExpected() {
    assertEquals(
        "test.yaml:2:5: listeners[0]: public (expected: mapping with name, bind, tls, proxyProtocol)",
        errors(replaceLine("  - name: public\n    bind: 127.0.0.1:8443\n", "  - public\n")));
  }

  @Test
  void rejectsListAsTopLevel() {
    assertEquals(
        "test.yaml:1:1: configuration: a list (expected: mapping with listeners, backends, routes)",
        errors("- listeners\n"));
  }

  @Test
  void rejectsEmptyList() {
    assertEquals(
        "test.yaml:1:12: listeners: [] (expected: at least one listener)",
        errors(
            replaceLine(
                "listeners:\n  - name: public\n    bind: 127.0.0.1:8443\n", "listeners: []\n")));
  }

  @Test
  void rejectsEmptyRequiredValue() {
    assertEquals(
        "test.yaml:8:13: routes[0].backend: empty value (expected: backend group name)",
        errors(replaceLine("  - backend: demo\n", "  - backend:\n")));
  }

  @Test
  void rejectsCustomTags() {
    assertEquals(
        "test.yaml:9:11: unsupported tag !env (expected: plain YAML values)",
        errors(MINIMAL + "    host: !env HOST\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "on", "1", "'true'"})
  void rejectsBooleanOtherThanTrueOrFalse(String value) {
    String found = value.replace("'", "");
    assertEquals(
        "test.yaml:9:24: routes[0].permessageDeflate: " + found + " (expected: true or false)",
        errors(MINIMAL + "    permessageDeflate: " + value + "\n"));
  }

  @Test
  void rejectsNormalizePath_otherThanTrueOrFalse() {
    assertEquals(
        "test.yaml:9:20: routes[0].normalizePath: yes (expected: true or false)",
        errors(MINIMAL + "    normalizePath: yes\n"));
  }

  // ---- sizes and durations ----

  @ParameterizedTest
  @ValueSource(strings = {"-1", "0", "3GiB", "2147483649", "1.5MiB", "1  KiB", "99999999999999999"})
  void rejectsMaxMessageBytesOutsideRangeOrNotation(String value) {
    assertEquals(
        "test.yaml:9:22: routes[0].maxMessageBytes: "
            + value
            + " (expected: size in B, KiB, MiB or GiB like 64KiB, 1 B..2 GiB)",
        errors(MINIMAL + "    maxMessageBytes: " + value + "\n"));
  }

  @ParameterizedTest
  @CsvSource({"1kb, kb, 1KiB", "64K, K, 64KiB", "2 MB, MB, 2MiB", "1gib, gib, 1GiB"})
  void refusesDecimalOrMisspeltSizeUnits_namingTheBinarySizeMeant(
      String value, String unit, String meant) {
    assertEquals(
        "test.yaml:9:22: routes[0].maxMessageBytes: "
            + value
            + " (expected: size in B, KiB, MiB or GiB like 64KiB, 1 B..2 GiB; "
            + unit
            + " is not a unit here (sizes are binary: KiB = 1024 B), did you mean "
            + meant
            + "?)",
        errors(MINIMAL + "    maxMessageBytes: " + value + "\n"));
  }

  @Test
  void rejectsMaxHeaderBytesOutsideRange() {
    assertEquals(
        "test.yaml:10:19: timeouts.maxHeaderBytes: 128KiB"
            + " (expected: size in B, KiB, MiB or GiB like 64KiB, 1 KiB..64 KiB)",
        errors(MINIMAL + "timeouts:\n  maxHeaderBytes: 128KiB\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"5", "0s", "0ms", "25h", "1.5s", "-1s", "5 s", "5S", "2d", "9999999999h"})
  void rejectsDurationOutsideRangeOrNotation(String value) {
    assertEquals(
        "test.yaml:7:21: backends.demo.connectTimeout: "
            + value
            + " (expected: duration like 5s, 1 ms..1 d)",
        errors(
            replaceLine(
                "ws://127.0.0.1:9000/]\n",
                "ws://127.0.0.1:9000/]\n    connectTimeout: " + value + "\n")));
  }

  @Test
  void rejectsNegativeDrain_butAcceptsZero() {
    assertEquals(
        "test.yaml:10:10: timeouts.drain: -1s (expected: duration like 5s, 0 s..1 d)",
        errors(MINIMAL + "timeouts:\n  drain: -1s\n"));
    assertDoesNotThrow(
        () -> ConfigParser.parse(MINIMAL + "timeouts:\n  drain: 0s\n", "test.yaml", dir));
  }

  @Test
  void rejectsPingNotShorterThanIdle() {
    assertEquals(
        "test.yaml:11:9: timeouts.ping: 1m (expected: less than timeouts.idle, 60s)",
        errors(MINIMAL + "timeouts:\n  idle: 60s\n  ping: 1m\n"));
  }

  @Test
  void rejectsIdleNotLongerThanDefaultPing_atIdle() {
    assertEquals(
        "test.yaml:10:9: timeouts.idle: 20s (expected: more than timeouts.ping, 30s)",
        errors(MINIMAL + "timeouts:\n  idle: 20s\n"));
  }

  @Test
  void rejectsUnknownTimeoutKey() {
    assertEquals(
        "test.yaml:10:3: unknown key 'ping_interval' in timeouts (expected one of: handshake,"
            + " maxHeaderBytes, idle, ping, drain)",
        errors(MINIMAL + "timeouts:\n  ping_interval: 5s\n"));
  }

  // ---- listeners ----

  @Test
  void rejectsInvalidListenerName() {
    assertEquals(
        "test.yaml:2:11: listeners[0].name: Public (expected: name made of a-z, 0-9 and -)",
        errors(replaceLine("name: public", "name: Public")));
  }

  @Test
  void rejectsDuplicateListenerNameAndBind() {
    assertEquals(
        """
        test.yaml:4:11: listeners[1].name: public (already used by listeners[0])
        test.yaml:5:11: listeners[1].bind: 127.0.0.1:8443 (already used by listeners[0])""",
        errors(
            replaceLine(
                "    bind: 127.0.0.1:8443\n",
                "    bind: 127.0.0.1:8443\n  - name: public\n    bind: 127.0.0.1:8443\n")));
  }

  @Test
  void rejectsBindOverlappingAWildcardBind() {
    assertEquals(
        "test.yaml:5:11: listeners[1].bind: 0.0.0.0:8443 (overlaps 127.0.0.1:8443 of listeners[0])",
        errors(
            replaceLine(
                "    bind: 127.0.0.1:8443\n",
                "    bind: 127.0.0.1:8443\n  - name: other\n    bind: 0.0.0.0:8443\n")));
  }

  @Test
  void acceptsPortZeroTwice() {
    assertDoesNotThrow(
        () ->
            ConfigParser.parse(
                replaceLine(
                    "    bind: 127.0.0.1:8443\n",
                    "    bind: 127.0.0.1:0\n  - name: other\n    bind: 127.0.0.1:0\n"),
                "test.yaml",
                dir));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "127.0.0.1:70000",
        "127.0.0.1:",
        ":8443",
        "::1:8443",
        "[::1]8443",
        "[::1]:",
        "[127.0.0.1]:80",
        "host name:80",
        "127.0.0.1:-1",
        "127.0.0.1:+80",
        "[::1]:8443]"
      })
  void rejectsMalformedBind(String value) {
    assertEquals(
        "test.yaml:3:11: listeners[0].bind: "
            + value
            + " (expected: host:port or [v6]:port, port 0..65535)",
        errors(replaceLine("bind: 127.0.0.1:8443", "bind: \"" + value + "\"")));
  }

  @Test
  void rejectsInvalidIpv6Literal() {
    assertEquals(
        "test.yaml:3:11: listeners[0].bind: [zz::1]:80 (not an IPv6 address)",
        errors(replaceLine("bind: 127.0.0.1:8443", "bind: \"[zz::1]:80\"")));
  }

  // ---- listener TLS ----

  private static final String TLS =
      """
      listeners:
        - name: public
          bind: 127.0.0.1:8443
          tls:
      """;
  private static final String REST =
      """
      backends:
        demo:
          servers: [ws://127.0.0.1:9000/]
      routes:
        - backend: demo
      """;

  @Test
  void rejectsEmptyTls_ratherThanServingPlainText() {
    assertEquals(
        "test.yaml:4:9: listeners[0].tls: empty value (expected: mapping with certificates; omit tls for"
            + " a plain ws:// listener)",
        errors(TLS + REST));
  }

  @Test
  void rejectsTlsWithoutCertificates() {
    assertEquals(
        "test.yaml:5:7: listeners[0].tls: missing required key 'certificates'",
        errors(TLS + "      engine: jdk\n" + REST));
  }

  @Test
  void rejectsUnknownEngineAndProtocols() {
    assertEquals(
        """
        test.yaml:5:15: listeners[0].tls.engine: openssl (expected one of: boringssl, jdk)
        test.yaml:6:19: listeners[0].tls.protocols[0]: TLSv1.1 (expected one of: TLSv1.3, TLSv1.2)
        test.yaml:6:37: listeners[0].tls.protocols[2]: TLSv1.3 (already listed as listeners[0].tls.protocols[1])""",
        errors(
            TLS
                + """
                  engine: openssl
                  protocols: [TLSv1.1, TLSv1.3, TLSv1.3]
                  certificates: [{chain: a.pem, key: a.key}]
            """
                + REST));
  }

  @Test
  void rejectsTicketSettings_outOfRangeOrNotBoolean() {
    assertEquals(
        """
        test.yaml:5:23: listeners[0].tls.sessionTickets: maybe (expected: true or false)
        test.yaml:6:26: listeners[0].tls.ticketKeyRotation: 30s (expected: duration like 5s, 1 m..1 d)""",
        errors(
            TLS
                + """
                  sessionTickets: maybe
                  ticketKeyRotation: 30s
                  certificates: [{chain: a.pem, key: a.key}]
            """
                + REST));
  }

  @Test
  void rejectsEmptyProtocols() {
    assertEquals(
        "test.yaml:5:18: listeners[0].tls.protocols: [] (expected: at least one protocol)",
        errors(
            TLS
                + "      protocols: []\n      certificates: [{chain: a.pem, key: a.key}]\n"
                + REST));
  }

  @Test
  void rejectsCertificateProblems() {
    assertEquals(
        """
        test.yaml:7:63: listeners[0].tls.certificates[1].serverNames[1]: -bad- (expected: host name like example.com\
         or *.example.com)
        test.yaml:8:52: listeners[0].tls.certificates[2].serverNames[0]: a.example (already listed in\
         listeners[0].tls.certificates[1])
        test.yaml:9:11: listeners[0].tls.certificates[3].serverNames: [] (expected: host names; only one certificate\
         may be the default, and listeners[0].tls.certificates[0] already is)
        test.yaml:10:11: listeners[0].tls.certificates[4]: missing required key 'chain'""",
        errors(
            TLS
                + """
                  certificates:
                    - {chain: a.pem, key: a.key}
                    - {chain: b.pem, key: b.key, serverNames: [a.example, "-bad-"]}
                    - {chain: c.pem, key: c.key, serverNames: [A.example]}
                    - {chain: d.pem, key: d.key}
                    - {key: e.key, serverNames: [e.example]}
            """
                + REST));
  }

  // ---- backends ----

  @Test
  void rejectsDuplicateServer_afterNormalising() {
    assertEquals(
        "test.yaml:6:35: backends.demo.servers[1]: ws://127.0.0.1:80/ (already listed as"
            + " backends.demo.servers[0])",
        errors(replaceLine("[ws://127.0.0.1:9000/]", "[ws://127.0.0.1:80/, WS://127.0.0.1]")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://h/",
        "ws://h/?q=1",
        "ws://h/#f",
        "ws://u:p@h/",
        "ws:/path",
        "ws:opaque",
        "ws://h:0/",
        "h:9000",
        "ws://exa_mple/",
        "ws://h:99999/",
        "ws://h:port/",
        "ws://",
        "ws://[::1/"
      })
  void rejectsMalformedServerUri(String value) {
    assertEquals(
        "test.yaml:6:15: backends.demo.servers[0]: "
            + value
            + " (expected: ws:// or wss:// URI with"
            + " host, like ws://10.0.0.5:9000/; port 1..65535; no user info, query or fragment)",
        errors(replaceLine("[ws://127.0.0.1:9000/]", "[\"" + value + "\"]")));
  }

  @Test
  void rejectsBackendTlsWithoutWssServer() {
    assertEquals(
        "test.yaml:7:10: backends.demo.tls: set, but no server of backends.demo uses wss:// (expected:"
            + " tls only with wss:// servers)",
        errors(
            replaceLine(
                "ws://127.0.0.1:9000/]\n", "ws://127.0.0.1:9000/]\n    tls: {ca: ca.pem}\n")));
  }

  @Test
  void rejectsCaTogetherWithInsecure() {
    assertEquals(
        "test.yaml:7:33: backends.demo.tls.insecure: true (expected: false when ca is set; trust a CA or"
            + " nothing, not both)",
        errors(
            replaceLine(
                "[ws://127.0.0.1:9000/]\n",
                "[wss://127.0.0.1:9000/]\n    tls: {ca: ca.pem, insecure: true}\n")));
  }

  @Test
  void rejectsUnknownBalance() {
    assertEquals(
        "test.yaml:7:14: backends.demo.balance: random (expected one of: round-robin, least-connections)",
        errors(
            replaceLine(
                "ws://127.0.0.1:9000/]\n", "ws://127.0.0.1:9000/]\n    balance: random\n")));
  }

  @Test
  void rejectsEmptyBackends() {
    assertEquals(
        "test.yaml:4:11: backends: {} (expected: at least one backend group)",
        errors(
            replaceLine(
                "backends:\n  demo:\n    servers: [ws://127.0.0.1:9000/]\n", "backends: {}\n")));
  }

  @Test
  void rejectsBackendGroupWithoutServers() {
    assertEquals(
        "test.yaml:6:14: backends.demo.servers: [] (expected: at least one server)",
        errors(replaceLine("[ws://127.0.0.1:9000/]", "[]")));
  }

  @Test
  void rejectsInvalidGroupName() {
    assertEquals(
        "test.yaml:5:3: backends.Demo_1: invalid group name 'Demo_1' (expected: name made of a-z, 0-9"
            + " and -)",
        errors(
            replaceLine("  demo:\n", "  Demo_1:\n").replace("backend: demo", "backend: Demo_1")));
  }

  // ---- routes ----

  @Test
  void rejectsUnknownBackendGroup_listingTheKnownOnes() {
    assertEquals(
        "test.yaml:10:14: routes[0].backend: unknown backend group 'chat' (expected one of: demo, spare)",
        errors(
            replaceLine(
                "routes:\n  - backend: demo\n",
                "  spare:\n    servers: [ws://10.0.0.9:9000/]\nroutes:\n  - backend: chat\n")));
  }

  @Test
  void rejectsPathWithoutLeadingSlash() {
    assertEquals(
        "test.yaml:9:11: routes[0].path: chat (expected: path prefix starting with /, without query)",
        errors(MINIMAL + "    path: chat\n"));
  }

  @Test
  void rejectsHostWithPort() {
    assertEquals(
        "test.yaml:9:11: routes[0].host: example.com:443 (expected: host name like example.com, without"
            + " port)",
        errors(MINIMAL + "    host: example.com:443\n"));
  }

  @Test
  void rejectsRouteThatCanNeverMatch() {
    assertEquals(
        "test.yaml:9:5: routes[1]: same host and path as routes[0] (expected: each host and path once;"
            + " the first route wins, so this one never would)",
        errors(MINIMAL + "  - {path: /, backend: demo}\n"));
  }

  // ---- demo backend ----

  @Test
  void rejectsDemoBackendOn() {
    assertEquals(
        "test.yaml:9:14: demoBackend: on (expected: mapping with bind, or off)",
        errors(MINIMAL + "demoBackend: on\n"));
  }

  @Test
  void rejectsDemoBackendOnAListenersAddress() {
    assertEquals(
        "test.yaml:10:9: demoBackend.bind: 127.0.0.1:8443 (already used by listeners[0])",
        errors(MINIMAL + "demoBackend:\n  bind: 127.0.0.1:8443\n"));
  }

  // ---- policies ----

  @Test
  void rejectsInvalidRoutePolicyName() {
    assertEquals(
        "test.yaml:9:13: routes[0].policy: Chat (expected: name made of a-z, 0-9 and -)",
        errors(MINIMAL + "    policy: Chat\n"));
  }

  @Test
  void rejectsPoliciesBlockWithoutDir() {
    assertEquals(
        "test.yaml:9:11: policies: missing required key 'dir'", errors(MINIMAL + "policies: {}\n"));
    assertEquals(
        "test.yaml:9:11: policies: p/ (expected: mapping with dir)",
        errors(MINIMAL + "policies: p/\n"));
  }

  // ---- several at once ----

  @Test
  void reportsAllErrorsTogether_inFileOrder() {
    assertEquals(
        """
        test.yaml:2:11: listeners[0].name: Public (expected: name made of a-z, 0-9 and -)
        test.yaml:6:14: backends.demo.servers: ws://x/ (expected: list of ws:// or wss:// URIs)
        test.yaml:8:14: routes[0].backend: unknown backend group 'chat' (expected one of: demo)
        test.yaml:9:5: unknown key 'maxPayload' in routes[0] (expected one of: path, host, backend, permessageDeflate,\
         maxMessageBytes, policy, normalizePath)
        test.yaml:11:9: timeouts.idle: 1s (expected: more than timeouts.ping, 30s)""",
        errors(
            MINIMAL
                    .replace("name: public", "name: Public")
                    .replace("[ws://127.0.0.1:9000/]", "ws://x/")
                    .replace("backend: demo", "backend: chat")
                + "    maxPayload: 1\ntimeouts:\n  idle: 1s\n"));
  }

  @Test
  void capsErrorsAtFifty_countingTheRest() {
    StringBuilder yaml = new StringBuilder("listeners:\n");
    for (int i = 0; i < 60; i++) {
      yaml.append("  - {name: X, bind: 127.0.0.1:0}\n");
    }
    yaml.append(REST);

    ConfigException e =
        assertThrows(
            ConfigException.class, () -> ConfigParser.parse(yaml.toString(), "test.yaml", dir));

    assertEquals(50, e.errors().size());
    assertEquals(10, e.omitted());
    assertEquals(
        "test.yaml:51:12: listeners[49].name: X (expected: name made of a-z, 0-9 and -)",
        e.errors().get(49).toString());
    assertEquals(
        e.errors().get(49) + "\n(10 more errors not shown)",
        e.getMessage().substring(e.getMessage().lastIndexOf("test.yaml:51:")));
  }

  // ---- YAML syntax and reading ----

  @Test
  void reportsSyntaxErrorPosition() {
    assertEquals(
        "test.yaml:4:4: invalid YAML: expected <block end>, but found '<block mapping start>' (while"
            + " parsing a block collection at 2:3)",
        errors("listeners:\n  - name: a\n    bind: x\n   oops: 1\n"));
  }

  @Test
  void reportsTabIndentation() {
    assertEquals(
        "test.yaml:2:1: invalid YAML: found character '\\t(TAB)' that cannot start any token. (Do not use"
            + " \\t(TAB) for indentation) (while scanning for the next token)",
        errors("listeners:\n\t- name: a\n"));
  }

  @Test
  void reportsUnclosedQuote() {
    assertEquals(
        "test.yaml:3:1: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at 2:11)",
        errors("listeners:\n  - name: \"public\n"));
  }

  @Test
  void reportsSecondDocument() {
    assertEquals(
        "test.yaml:9:1: invalid YAML: a second document (expected: one document per file)",
        errors(MINIMAL + "---\nlisteners: []\n"));
  }

  @Test
  void reportsControlCharacter() {
    assertEquals(
        "test.yaml:2:14: invalid YAML: character U+0007 is not allowed",
        errors("listeners:\n  - name: pub\u0007lic\n"));
  }

  @Test
  void acceptsAliases_butRejectsARecursiveOneWithoutLooping() {
    assertDoesNotThrow(
        () ->
            ConfigParser.parse(
                replaceLine(
                    "  demo:\n    servers: [ws://127.0.0.1:9000/]\n",
                    "  demo: &group\n    servers: [ws://127.0.0.1:9000/]\n  copy: *group\n"),
                "test.yaml",
                dir));
    assertEquals(
        "test.yaml:1:12: listeners[0]: a list (expected: mapping with name, bind, tls, proxyProtocol)",
        errors("listeners: &self [*self]\n" + REST));
  }

  @Test
  void reportsEmptyFile() {
    assertEquals(
        "test.yaml:1:1: configuration is empty (expected: mapping with listeners, backends, routes)",
        errors("# nothing here\n"));
  }

  @Test
  void reportsFileNameAsGiven() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, MINIMAL + "    maxMessageBytes: -1\n");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(file));

    assertEquals(
        file
            + ":9:22: routes[0].maxMessageBytes: -1"
            + " (expected: size in B, KiB, MiB or GiB like 64KiB, 1 B..2 GiB)",
        e.getMessage());
  }

  @Test
  void reportsInvalidUtf8() throws Exception {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(file));

    assertEquals(file + ": cannot read: not UTF-8 text", e.getMessage());
  }

  // ---- bans ----

  @Test
  void rejectsUnknownFirewallBackend_andBadPorts() {
    assertEquals(
        """
        test.yaml:12:14: bans.firewall.backend: pf (expected one of: ipset, nftables, iptables, none)
        test.yaml:13:13: bans.firewall.ports[0]: 0 (expected: integer 1..65535)
        test.yaml:13:21: bans.firewall.ports[2]: 443 (already listed as bans.firewall.ports[1])""",
        errors(
            MINIMAL
                + "bans:\n  journal: bans.journal\n  firewall:\n    backend: pf\n"
                + "    ports: [0, 443, 443]\n"));
  }

  @Test
  void rejectsFirewallWithoutJournal() {
    assertEquals(
        "test.yaml:11:5: bans.firewall: backend ipset, but bans has no journal (expected: bans.journal as"
            + " well; the rules are built from the journalled ban list)",
        errors(MINIMAL + "bans:\n  firewall:\n    backend: ipset\n"));
  }

  @Test
  void rejectsRulesFileWithApply_andItsAbsenceWithoutApply() {
    String head = MINIMAL + "bans:\n  journal: j\n  firewall:\n    backend: nftables\n";
    assertEquals(
        "test.yaml:13:16: bans.firewall.rulesFile: r (expected: only with apply: false; with apply: true"
            + " the rules are loaded directly)",
        errors(head + "    rulesFile: r\n"));
    assertEquals(
        "test.yaml:12:5: bans.firewall: missing required key 'rulesFile' (needed with apply: false)",
        errors(head + "    apply: false\n"));
  }

  @Test
  void rejectsFirewallKeysWithBackendNone() {
    assertEquals(
        "test.yaml:12:5: bans.firewall.apply: set, but backend is none (expected: backend ipset,"
            + " nftables or iptables, or no apply)",
        errors(MINIMAL + "bans:\n  firewall:\n    backend: none\n" + "    apply: true\n"));
  }

  @Test
  void rejectsDefaultPorts_whenNoListenerHasAFixedPort() {
    assertEquals(
        "test.yaml:12:5: bans.firewall.ports: missing, and no listener has a fixed port (expected: the"
            + " TCP ports to protect, e.g. ports: [443])",
        errors(
            replaceLine("127.0.0.1:8443", "127.0.0.1:0")
                + "bans:\n  journal: j\n  firewall:\n    backend: iptables\n"));
  }

  @Test
  void rejectsBansMax_outside100To10Million_orNotAnInteger() {
    assertEquals(
        "test.yaml:10:8: bans.max: 99 (expected: integer 100..10000000)",
        errors(MINIMAL + "bans:\n  max: 99\n"));
    assertEquals(
        "test.yaml:10:8: bans.max: 10000001 (expected: integer 100..10000000)",
        errors(MINIMAL + "bans:\n  max: 10000001\n"));
    assertEquals(
        "test.yaml:10:8: bans.max: 1e5 (expected: integer 100..10000000)",
        errors(MINIMAL + "bans:\n  max: 1e5\n"));
  }

  @Test
  void rejectsUnknownKeyInBans_listingMax() {
    assertEquals(
        "test.yaml:10:3: unknown key 'maxBans' in bans (expected one of: journal, firewall, max)",
        errors(MINIMAL + "bans:\n  maxBans: 500\n"));
  }
}
