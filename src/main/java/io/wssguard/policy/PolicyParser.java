package io.wssguard.policy;

import static io.wssguard.config.YamlReader.found;
import static io.wssguard.config.YamlReader.isNull;
import static io.wssguard.config.YamlReader.scalarText;

import io.wssguard.config.Addresses;
import io.wssguard.config.ConfigException;
import io.wssguard.config.ErrorList;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.config.YamlMapping;
import io.wssguard.config.YamlReader;
import io.wssguard.net.Cidr;
import io.wssguard.quantity.Quantities;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads policy files (the format is in {@code docs/POLICIES.md} and taught by the comments of
 * {@code policies/default.yaml}) into a validated {@link PolicySet}.
 *
 * <p>It reads YAML the way the config parser does, through the same {@link YamlReader}: strict
 * (unknown keys, repeated keys, wrong types and impossible values are errors), every error of every
 * file reported together as {@code file:line:column: message}, and records built only when nothing
 * at all was wrong. Beyond single values it refuses combinations that cannot work as written: a
 * burst smaller than one second of its rate, a bytes burst that the largest allowed frame could
 * never fit into, a frame limit above the message limit, an allow block that a deny block swallows.
 *
 * <p>The schema lives in the key lists and limit tables below; {@link #knownKeys()} exposes it so a
 * test can hold {@code policies/policy.schema.json} to the same keys.
 */
public final class PolicyParser {
  static final String DEFAULT_RESOURCE = "/io/wssguard/policy/default.yaml";
  static final String DEFAULT_NAME = "<embedded default policy>";

  /**
   * The policy name a route uses to have no policy at all: no admission checks, no per-frame gate
   * (the RFC 6455 checks and the route's message size cap still apply). For trusted internal
   * routes, and to measure what enforcement costs.
   */
  public static final String OFF = "off";

  static final List<String> TOP_KEYS = List.of("policies");
  static final List<String> POLICY_KEYS =
      List.of("mode", "handshake", "perIp", "perConnection", "access", "strikes", "anomaly");
  static final List<String> HANDSHAKE_KEYS =
      List.of("maxHeaderBytes", "origins", "subprotocols", "requiredHeaders", "paths");
  static final List<String> ACCESS_KEYS = List.of("allow", "deny", "trustedProxies", "ipv6Prefix");
  static final List<String> STRIKE_KEYS = List.of("max", "window", "ban", "protocolViolations");
  static final List<String> RATE_KEYS = List.of("rate", "burst", "action", "strike");
  static final List<String> COUNT_KEYS = List.of("max", "action", "strike");

  /** A per-IP limit's keys add {@code scope}: this node's budget, or the fleet's. */
  static final List<String> SCOPED_RATE_KEYS =
      List.of("rate", "burst", "action", "strike", "scope");

  static final List<String> SCOPED_COUNT_KEYS = List.of("max", "action", "strike", "scope");
  static final List<String> SCOPES = List.of("node", "fleet");
  static final Map<String, Mode> MODES =
      YamlReader.choices(Map.entry("enforce", Mode.ENFORCE), Map.entry("monitor", Mode.MONITOR));

  private static final List<Action> REJECT_ONLY = List.of(Action.REJECT);
  private static final List<Action> FLOW = List.of(Action.DROP, Action.THROTTLE, Action.CLOSE);
  private static final List<Action> SIZE = List.of(Action.DROP, Action.CLOSE);

  /**
   * One limit key: a rate (token bucket) or a plain maximum, counting things or bytes, and what it
   * may do.
   */
  record LimitSpec(String key, boolean rate, boolean bytes, List<Action> actions, boolean scoped) {
    List<String> actionNames() {
      return actions.stream().map(a -> a.name().toLowerCase(Locale.ROOT)).toList();
    }

    List<String> keys() {
      if (rate) {
        return scoped ? SCOPED_RATE_KEYS : RATE_KEYS;
      }
      return scoped ? SCOPED_COUNT_KEYS : COUNT_KEYS;
    }
  }

  static final List<LimitSpec> PER_IP =
      List.of(
          new LimitSpec("handshakes", true, false, REJECT_ONLY, true),
          new LimitSpec("connections", false, false, REJECT_ONLY, true),
          new LimitSpec("messages", true, false, FLOW, true),
          new LimitSpec("bytes", true, true, FLOW, true));
  static final String IPV6_BLOCKS = "ipv6Blocks";
  static final List<String> PER_IP_KEYS =
      Stream.concat(PER_IP.stream().map(LimitSpec::key), Stream.of(IPV6_BLOCKS)).toList();
  static final List<String> BLOCK_KEYS = List.of("factor");
  private static final Pattern BLOCK_PREFIX = Pattern.compile("[1-9][0-9]{0,2}");

  static final List<LimitSpec> PER_CONNECTION =
      List.of(
          new LimitSpec("messages", true, false, FLOW, false),
          new LimitSpec("bytes", true, true, FLOW, false),
          new LimitSpec("maxMessageBytes", false, true, SIZE, false),
          new LimitSpec("maxFrameBytes", false, true, SIZE, false),
          new LimitSpec("maxFragments", false, false, SIZE, false),
          new LimitSpec("controlFrames", true, false, FLOW, false));

  private static final long MAX_COUNT = 1_000_000;
  private static final long MAX_BURST_COUNT = 1_000_000_000;
  private static final long MAX_MESSAGE_SIZE = 2 * Quantities.GIB;
  private static final long MAX_BURST_BYTES = 16 * Quantities.GIB;
  private static final long MAX_HEADER_BYTES = 64 * Quantities.KIB;

  private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");

  /** RFC 7230 token: header names and subprotocols. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
  private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");
  private static final Pattern PATH_PATTERN = Pattern.compile("/[^\\s?#]*");

  private static final String EXPECTED_NAME = "name made of a-z, 0-9 and -";
  private static final String EXPECTED_ORIGIN =
      "origin scheme://host[:port] like https://app.example.com or https://*.example.com, without path";
  private static final String EXPECTED_PATH =
      "path pattern starting with /, like /chat/* or /api/**; ** only as a whole segment; no query";

  private final ErrorList errors;
  private final YamlReader yaml;

  /** Nodes of values that cross-checks point at, by path; cleared for each policy. */
  private final Map<String, Node> nodes = new HashMap<>();

  /** The per-IP limits of the policy being read that say {@code scope: fleet}. */
  private final List<PerIpLimits.FleetScope> fleetScoped = new ArrayList<>();

  private PolicyParser(ErrorList errors) {
    this.errors = errors;
    this.yaml = new YamlReader(errors, "policy file");
  }

  // ---- entry points ----

  /**
   * Reads and validates policy files together: every error of every file is reported (file by file
   * in the given order, each in file order, up to {@link
   * io.wssguard.config.ConfigParser#MAX_ERRORS}), and a policy name may be used once across all of
   * them.
   *
   * @throws IllegalArgumentException if {@code files} is empty
   */
  public static PolicySet parseFiles(List<Path> files) throws ConfigException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no policy files given");
    }
    Loader loader = new Loader();
    for (Path file : files) {
      ErrorList fileErrors = loader.newFile(file.toString());
      byte[] bytes = YamlReader.readFile(file, fileErrors);
      if (bytes != null) {
        loader.add(file, bytes, fileErrors);
      }
    }
    return loader.finish();
  }

  /**
   * Reads every {@code *.yaml} and {@code *.yml} file of a directory, in name order (hidden files,
   * such as editor lock files, are skipped). A missing or unreadable directory, or one without
   * policy files, is an error.
   */
  public static PolicySet loadDirectory(Path dir) throws ConfigException {
    ErrorList dirErrors = new ErrorList(dir.toString());
    List<Path> files = List.of();
    try (Stream<Path> entries = Files.list(dir)) {
      files =
          entries
              .filter(p -> isPolicyFileName(p.getFileName().toString()) && Files.isRegularFile(p))
              .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
              .toList();
      if (files.isEmpty()) {
        dirErrors.at(0, 0, "no policy files (expected: *.yaml or *.yml files in the directory)");
      }
    } catch (NoSuchFileException e) {
      dirErrors.at(0, 0, "cannot read: no such directory");
    } catch (NotDirectoryException e) {
      dirErrors.at(0, 0, "cannot read: not a directory");
    } catch (AccessDeniedException e) {
      dirErrors.at(0, 0, "cannot read: permission denied");
    } catch (IOException e) {
      dirErrors.at(0, 0, "cannot read: " + e.getMessage());
    }
    if (dirErrors.size() > 0) {
      throw dirErrors.toException();
    }
    return parseFiles(files);
  }

  /**
   * The policies a configuration names: every file of its {@code policies.dir}, or the embedded
   * default policy when it has none.
   */
  public static PolicySet forConfig(ProxyConfig config) throws ConfigException {
    return config.policiesDir() == null ? embeddedDefault() : loadDirectory(config.policiesDir());
  }

  /**
   * The policy shipped inside wssguard ({@code policies/default.yaml} in the source tree), used
   * when the config names no policies directory. It defines the policy {@code default}.
   *
   * @throws IllegalStateException if the resource is missing or invalid (a build defect)
   */
  public static PolicySet embeddedDefault() {
    try (InputStream in = PolicyParser.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + DEFAULT_RESOURCE + " is missing from the build");
      }
      return parse(in.readAllBytes(), DEFAULT_NAME);
    } catch (IOException | ConfigException e) {
      throw new IllegalStateException("embedded default policy is broken:\n" + e.getMessage(), e);
    }
  }

  /**
   * Every limit of {@code policies} written with {@code scope: fleet} when {@code config} has no
   * {@code cluster} block, as {@code file:line:col: message}: without a fleet there is nothing to
   * share the budget with, and counting it on this node alone would quietly give each node the
   * whole budget, so the configuration is refused rather than run with a different meaning.
   */
  public static List<String> fleetWithoutCluster(ProxyConfig config, PolicySet policies) {
    List<String> errors = new ArrayList<>();
    if (config.cluster() != null) {
      return errors;
    }
    for (Policy p : new TreeMap<>(policies.policies()).values()) {
      if (p.perIp() == null) {
        continue;
      }
      for (PerIpLimits.FleetScope f : p.perIp().fleet()) {
        errors.add(
            p.file()
                + ":"
                + f.line()
                + ":"
                + f.column()
                + ": policies."
                + p.name()
                + ".perIp."
                + f.limit()
                + ".scope: fleet, but the configuration has no cluster block (expected: a"
                + " cluster block, docs/FLEET.md, or scope: node)");
      }
    }
    return errors;
  }

  /**
   * The routes whose policy is not in {@code policies}, one message each, e.g. {@code
   * routes[0].policy: unknown policy 'chat' (expected one of: default)}; empty when all exist.
   */
  public static List<String> missingPolicies(ProxyConfig config, PolicySet policies) {
    String known = String.join(", ", new TreeSet<>(policies.policies().keySet()));
    List<String> missing = new ArrayList<>();
    List<RouteConfig> routes = config.routes();
    for (int i = 0; i < routes.size(); i++) {
      String name = routes.get(i).policy();
      if (!name.equals(OFF) && !policies.policies().containsKey(name)) {
        missing.add(
            "routes["
                + i
                + "].policy: unknown policy '"
                + name
                + "' (expected one of: "
                + known
                + ")");
      }
    }
    return missing;
  }

  /** Policy text that does not come from a file of its own (tests, the embedded default). */
  static PolicySet parse(byte[] yamlBytes, String displayName) throws ConfigException {
    Loader loader = new Loader();
    loader.add(Path.of(displayName), yamlBytes, loader.newFile(displayName));
    return loader.finish();
  }

  /**
   * The keys the parser accepts, by where they sit: {@code ""} for the top level, {@code
   * policies.*} for a policy, {@code policies.*.perIp.handshakes} for a limit.
   */
  static Map<String, List<String>> knownKeys() {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put("", TOP_KEYS);
    keys.put("policies.*", POLICY_KEYS);
    keys.put("policies.*.handshake", HANDSHAKE_KEYS);
    limitKeys(keys, "policies.*.perIp", PER_IP);
    keys.put("policies.*.perIp", PER_IP_KEYS);
    keys.put("policies.*.perIp." + IPV6_BLOCKS + ".*", BLOCK_KEYS);
    limitKeys(keys, "policies.*.perConnection", PER_CONNECTION);
    keys.put("policies.*.access", ACCESS_KEYS);
    keys.put("policies.*.strikes", STRIKE_KEYS);
    keys.put("policies.*.anomaly.*", AnomalyRulesParser.KEYS);
    return keys;
  }

  /** The actions each limit accepts, by the limit's path as in {@link #knownKeys()}. */
  static Map<String, List<String>> knownActions() {
    Map<String, List<String>> actions = new LinkedHashMap<>();
    PER_IP.forEach(s -> actions.put("policies.*.perIp." + s.key(), s.actionNames()));
    PER_CONNECTION.forEach(
        s -> actions.put("policies.*.perConnection." + s.key(), s.actionNames()));
    actions.put(
        "policies.*.anomaly.*",
        Arrays.stream(AnomalyRule.Response.values()).map(AnomalyRule.Response::id).toList());
    return actions;
  }

  private static void limitKeys(
      Map<String, List<String>> keys, String path, List<LimitSpec> specs) {
    keys.put(path, specs.stream().map(LimitSpec::key).toList());
    for (LimitSpec spec : specs) {
      keys.put(path + "." + spec.key(), spec.keys());
    }
  }

  private static boolean isPolicyFileName(String name) {
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  /** Files read so far: their errors, their policies, and where each name was first defined. */
  private static final class Loader {
    final List<ErrorList> errorLists = new ArrayList<>();
    final Map<String, Policy> policies = new LinkedHashMap<>();
    final Map<String, String> definedAt = new HashMap<>();
    final List<PolicySet.SourceFile> files = new ArrayList<>();

    ErrorList newFile(String displayName) {
      ErrorList list = new ErrorList(displayName);
      errorLists.add(list);
      return list;
    }

    void add(Path file, byte[] bytes, ErrorList fileErrors) {
      files.add(new PolicySet.SourceFile(file, sha256(bytes)));
      String text = YamlReader.decodeUtf8(bytes, fileErrors);
      if (text == null) {
        return;
      }
      PolicyParser parser = new PolicyParser(fileErrors);
      parser.read(
          text,
          (name, nameNode, policy) -> {
            String position =
                fileErrors.file()
                    + ":"
                    + (nameNode.getStartMark().getLine() + 1)
                    + ":"
                    + (nameNode.getStartMark().getColumn() + 1);
            String first = definedAt.putIfAbsent(name, position);
            if (first != null) {
              fileErrors.at(
                  nameNode,
                  "policies."
                      + name
                      + ": already defined at "
                      + first
                      + " (expected: each policy name once across all policy files)");
            } else if (policy != null) {
              policies.put(name, policy);
            }
          });
    }

    PolicySet finish() throws ConfigException {
      if (errorLists.stream().anyMatch(e -> e.size() > 0)) {
        throw ErrorList.toException(errorLists);
      }
      return new PolicySet(policies, files);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  /** Receives each policy name found, with the policy or {@code null} when it had errors. */
  private interface PolicySink {
    void accept(String name, Node nameNode, Policy policy);
  }

  // ---- sections ----

  private void read(String text, PolicySink sink) {
    Node root = yaml.compose(text);
    if (root == null) {
      if (errors.size() == 0) {
        errors.at(1, 1, "policy file is empty (expected: mapping with policies)");
      }
      return;
    }
    YamlMapping top = yaml.mapping(root, "", "mapping with policies", TOP_KEYS);
    if (top == null) {
      return;
    }
    Node policiesNode = top.required("policies");
    if (policiesNode == null) {
      return;
    }
    YamlMapping m =
        yaml.mapping(policiesNode, "policies", "mapping of policy name to policy", null);
    if (m == null) {
      return;
    }
    if (m.keys().isEmpty()) {
      errors.at(policiesNode, "policies: {} (expected: at least one policy)");
      return;
    }
    for (String name : m.keys()) {
      Node nameNode = m.keyNode(name);
      if (!NAME.matcher(name).matches()) {
        errors.at(
            nameNode,
            m.pathOf(name)
                + ": invalid policy name '"
                + name
                + "' (expected: "
                + EXPECTED_NAME
                + ")");
        continue;
      }
      if (name.equals(OFF)) {
        errors.at(
            nameNode,
            m.pathOf(name)
                + ": the name '"
                + OFF
                + "' is reserved for routes without a policy"
                + " (expected: another name)");
        continue;
      }
      sink.accept(name, nameNode, policy(name, m.get(name), m.pathOf(name), nameNode));
    }
  }

  private Policy policy(String name, Node node, String path, Node nameNode) {
    int before = errors.size();
    nodes.clear();
    YamlMapping m =
        yaml.mapping(node, path, "mapping with " + String.join(", ", POLICY_KEYS), POLICY_KEYS);
    if (m == null) {
      return null;
    }
    Mode mode = yaml.oneOf(m.get("mode"), m.pathOf("mode"), MODES, Mode.ENFORCE);
    HandshakeRules handshake = handshake(m.get("handshake"), m.pathOf("handshake"));
    PerConnectionLimits perConnection =
        perConnection(m.get("perConnection"), m.pathOf("perConnection"));
    PerIpLimits perIp = perIp(m.get("perIp"), m.pathOf("perIp"));
    if (perConnection != null && perIp != null) {
      checkBurstFitsFrame(perIp.bytes(), m.pathOf("perIp") + ".bytes", perConnection);
      checkBurstFitsFrame(
          perConnection.bytes(), m.pathOf("perConnection") + ".bytes", perConnection);
    }
    AccessRules access = access(m.get("access"), m.pathOf("access"));
    if (perIp != null && access != null) {
      perIp = blocksWiderThanPrefix(perIp, access.ipv6Prefix(), m);
    }
    StrikeRules strikes = strikes(m.get("strikes"), m.pathOf("strikes"));
    List<AnomalyRule> anomalies =
        new AnomalyRulesParser(yaml)
            .rules(m.get("anomaly"), m.pathOf("anomaly"), m.get("strikes") != null);
    if (errors.size() > before) {
      return null;
    }
    return new Policy(
        name,
        mode,
        handshake,
        perIp,
        perConnection,
        access,
        strikes,
        anomalies,
        errors.file(),
        nameNode.getStartMark().getLine() + 1);
  }

  /**
   * The counted wider blocks must be wider than the source's own: written ones are checked, default
   * ones that are not wider are left out (an {@code ipv6Prefix} of 56 keeps only the /48).
   */
  private PerIpLimits blocksWiderThanPrefix(PerIpLimits perIp, int ipv6Prefix, YamlMapping m) {
    String path = m.pathOf("perIp") + "." + IPV6_BLOCKS;
    List<PerIpLimits.Ipv6Block> kept = new ArrayList<>();
    for (PerIpLimits.Ipv6Block b : perIp.ipv6Blocks()) {
      if (b.prefix() < ipv6Prefix) {
        kept.add(b);
      } else if (nodes.containsKey(path + "." + b.prefix())) {
        errors.at(
            nodes.get(path + "." + b.prefix()),
            path
                + "."
                + b.prefix()
                + ": /"
                + b.prefix()
                + " (expected: a block wider than access.ipv6Prefix, /"
                + ipv6Prefix
                + ")");
      }
    }
    return kept.size() == perIp.ipv6Blocks().size()
        ? perIp
        : new PerIpLimits(
            perIp.handshakes(),
            perIp.connections(),
            perIp.messages(),
            perIp.bytes(),
            kept,
            perIp.fleet());
  }

  private static boolean absent(Node node) {
    return node == null || isNull(node);
  }

  private HandshakeRules handshake(Node node, String path) {
    if (absent(node)) {
      return HandshakeRules.NONE;
    }
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(
            node, path, "mapping with " + String.join(", ", HANDSHAKE_KEYS), HANDSHAKE_KEYS);
    if (m == null) {
      return null;
    }
    Integer maxHeaderBytes = maxHeaderBytes(m.get("maxHeaderBytes"), m.pathOf("maxHeaderBytes"));
    List<String> origins =
        strings(
            m.get("origins"), m.pathOf("origins"), EXPECTED_ORIGIN, false, PolicyParser::origin);
    // Subprotocols are case-sensitive (RFC 6455 section 4.1); header names are not (RFC 7230
    // section 3.2).
    List<String> subprotocols =
        strings(
            m.get("subprotocols"),
            m.pathOf("subprotocols"),
            "subprotocol token like chat.v2",
            false,
            t -> TOKEN.matcher(t).matches() ? t : null);
    List<String> requiredHeaders =
        strings(
            m.get("requiredHeaders"),
            m.pathOf("requiredHeaders"),
            "header name like Authorization",
            true,
            t -> TOKEN.matcher(t).matches() ? t : null);
    List<String> paths =
        strings(m.get("paths"), m.pathOf("paths"), EXPECTED_PATH, false, PolicyParser::pathPattern);
    if (errors.size() > before) {
      return null;
    }
    return new HandshakeRules(origins, subprotocols, requiredHeaders, paths, maxHeaderBytes);
  }

  /** 0 (the listener's limit) or 1 KiB..64 KiB, like the listener's own limit. */
  private Integer maxHeaderBytes(Node node, String path) {
    if (node == null) {
      return 0;
    }
    String text = scalarText(node);
    if (text != null && Quantities.parseSize(text) == 0) {
      return 0;
    }
    try {
      return (int) Quantities.parseSize(text == null ? "" : text, Quantities.KIB, MAX_HEADER_BYTES);
    } catch (IllegalArgumentException e) {
      errors.at(
          node,
          path
              + ": "
              + found(node)
              + " (expected: "
              + Quantities.sizeRange(Quantities.KIB, MAX_HEADER_BYTES)
              + ", or 0 for the listener's limit"
              + Quantities.meantSize(text).map(m -> "; " + m).orElse("")
              + ")");
      return null;
    }
  }

  /**
   * The normalized (lower-case) origin, or {@code null} when it is not {@code
   * scheme://host[:port]}.
   */
  private static String origin(String text) {
    String origin = text.toLowerCase(Locale.ROOT);
    int sep = origin.indexOf("://");
    if (sep < 0 || !SCHEME.matcher(origin.substring(0, sep)).matches()) {
      return null;
    }
    String hostPort = origin.substring(sep + 3);
    int colon = hostPort.lastIndexOf(':');
    String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    if (colon >= 0) {
      String port = hostPort.substring(colon + 1);
      if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
        return null;
      }
    }
    return Addresses.isHostName(host, true) ? origin : null;
  }

  private static String pathPattern(String text) {
    if (!PATH_PATTERN.matcher(text).matches()) {
      return null;
    }
    for (String segment : text.split("/", -1)) {
      if (segment.contains("**") && !segment.equals("**")) {
        return null;
      }
    }
    return text;
  }

  private PerIpLimits perIp(Node node, String path) {
    if (absent(node)) {
      return PerIpLimits.NONE;
    }
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(node, path, "mapping with " + String.join(", ", PER_IP_KEYS), PER_IP_KEYS);
    if (m == null) {
      return null;
    }
    fleetScoped.clear();
    Map<String, Object> limits = limits(m, PER_IP);
    List<PerIpLimits.FleetScope> fleet = List.copyOf(fleetScoped);
    List<PerIpLimits.Ipv6Block> blocks = ipv6Blocks(m.get(IPV6_BLOCKS), m.pathOf(IPV6_BLOCKS));
    if (errors.size() > before) {
      return null;
    }
    return new PerIpLimits(
        (RateLimit) limits.get("handshakes"),
        (CountLimit) limits.get("connections"),
        (RateLimit) limits.get("messages"),
        (RateLimit) limits.get("bytes"),
        blocks,
        fleet);
  }

  /**
   * {@code {56: {factor: 4}, 48: {factor: 16}}}: at most two blocks (each is one more lookup per
   * handshake), each wider block with at least the factor of the narrower ones. Absent: the
   * defaults; {@code {}}: none.
   */
  private List<PerIpLimits.Ipv6Block> ipv6Blocks(Node node, String path) {
    if (absent(node)) {
      return PerIpLimits.DEFAULT_IPV6_BLOCKS;
    }
    YamlMapping m = yaml.mapping(node, path, "mapping of prefix length to {factor}", null);
    if (m == null) {
      return null;
    }
    int before = errors.size();
    TreeMap<Integer, PerIpLimits.Ipv6Block> byPrefix = new TreeMap<>((a, b) -> b - a);
    for (String key : m.keys()) {
      int prefix = BLOCK_PREFIX.matcher(key).matches() ? Integer.parseInt(key) : -1;
      if (prefix < 16 || prefix > 127) {
        errors.at(
            m.keyNode(key),
            m.pathOf(key)
                + ": '"
                + key
                + "' (expected: prefix length 16..127, shorter than access.ipv6Prefix)");
        continue;
      }
      YamlMapping b = yaml.mapping(m.get(key), m.pathOf(key), "mapping with factor", BLOCK_KEYS);
      if (b == null) {
        continue;
      }
      Node factorNode = b.required("factor");
      Long factor = yaml.integer(factorNode, b.pathOf("factor"), -1, 1, 65_536);
      nodes.put(m.pathOf(key), m.keyNode(key));
      nodes.put(b.pathOf("factor"), factorNode);
      if (factor != null && factor > 0) {
        byPrefix.put(prefix, new PerIpLimits.Ipv6Block(prefix, factor.intValue()));
      }
    }
    if (m.keys().size() > 2) {
      errors.at(
          node,
          path
              + ": "
              + m.keys().size()
              + " blocks (expected: at most 2; each is one more lookup per handshake)");
    }
    List<PerIpLimits.Ipv6Block> blocks = List.copyOf(byPrefix.values());
    for (int i = 1; i < blocks.size(); i++) {
      PerIpLimits.Ipv6Block narrower = blocks.get(i - 1);
      PerIpLimits.Ipv6Block wider = blocks.get(i);
      if (wider.factor() < narrower.factor()) {
        String at = path + "." + wider.prefix() + ".factor";
        errors.at(
            nodes.get(at),
            at
                + ": "
                + wider.factor()
                + " (expected: at least the factor of the narrower /"
                + narrower.prefix()
                + ", "
                + narrower.factor()
                + "; a wider block holds all of its budget)");
      }
    }
    return errors.size() > before ? null : blocks;
  }

  private PerConnectionLimits perConnection(Node node, String path) {
    if (absent(node)) {
      return PerConnectionLimits.NONE;
    }
    Map<String, Object> limits = limits(node, path, PER_CONNECTION);
    if (limits == null) {
      return null;
    }
    CountLimit maxMessage = (CountLimit) limits.get("maxMessageBytes");
    CountLimit maxFrame = (CountLimit) limits.get("maxFrameBytes");
    if (maxMessage != null && maxFrame != null && maxFrame.max() > maxMessage.max()) {
      Node at = nodes.get(path + ".maxFrameBytes.max");
      errors.at(
          at,
          path
              + ".maxFrameBytes.max: "
              + found(at)
              + " (expected: at most maxMessageBytes, "
              + Quantities.formatSize(maxMessage.max())
              + "; a frame is part of a message)");
      return null;
    }
    return new PerConnectionLimits(
        (RateLimit) limits.get("messages"),
        (RateLimit) limits.get("bytes"),
        maxMessage,
        maxFrame,
        (CountLimit) limits.get("maxFragments"),
        (RateLimit) limits.get("controlFrames"));
  }

  /**
   * A bytes bucket smaller than the largest frame allowed through would hold that frame back for
   * ever.
   */
  private void checkBurstFitsFrame(
      RateLimit bytes, String path, PerConnectionLimits perConnection) {
    CountLimit frame =
        perConnection.maxFrameBytes() != null
            ? perConnection.maxFrameBytes()
            : perConnection.maxMessageBytes();
    if (bytes == null || frame == null || bytes.burst() >= frame.max()) {
      return;
    }
    String which = perConnection.maxFrameBytes() != null ? "maxFrameBytes" : "maxMessageBytes";
    Node at = nodes.get(path + ".burst");
    errors.at(
        at,
        path
            + ".burst: "
            + found(at)
            + " (expected: at least perConnection."
            + which
            + ", "
            + Quantities.formatSize(frame.max())
            + "; a smaller burst never lets such a frame pass)");
  }

  /**
   * The limits of a perIp or perConnection block by key (absent ones missing), or {@code null} on
   * any error.
   */
  private Map<String, Object> limits(Node node, String path, List<LimitSpec> specs) {
    int before = errors.size();
    List<String> keys = specs.stream().map(LimitSpec::key).toList();
    YamlMapping m = yaml.mapping(node, path, "mapping with " + String.join(", ", keys), keys);
    if (m == null) {
      return null;
    }
    Map<String, Object> result = limits(m, specs);
    return errors.size() > before ? null : result;
  }

  /** The limits of {@code specs} in {@code m} by key; those with errors (reported) left out. */
  private Map<String, Object> limits(YamlMapping m, List<LimitSpec> specs) {
    Map<String, Object> result = new HashMap<>();
    for (LimitSpec spec : specs) {
      Node limitNode = m.get(spec.key());
      if (absent(limitNode)) {
        continue;
      }
      Object limit =
          spec.rate()
              ? rateLimit(limitNode, m.pathOf(spec.key()), spec)
              : countLimit(limitNode, m.pathOf(spec.key()), spec);
      if (limit != null) {
        result.put(spec.key(), limit);
      }
    }
    return result;
  }

  private RateLimit rateLimit(Node node, String path, LimitSpec spec) {
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(node, path, "mapping with " + String.join(", ", spec.keys()), spec.keys());
    if (m == null) {
      return null;
    }
    scope(m, spec);
    Node rateNode = m.required("rate");
    double perSecond = rate(rateNode, m.pathOf("rate"), spec.bytes());
    Node burstNode = m.required("burst");
    Long burst = amount(burstNode, m.pathOf("burst"), spec, MAX_BURST_BYTES, MAX_BURST_COUNT);
    Action action = action(m.required("action"), m.pathOf("action"), spec);
    Boolean strike = yaml.bool(m.get("strike"), m.pathOf("strike"), false);
    if (burst != null && burst > 0 && perSecond > 0 && burst < perSecond) {
      errors.at(
          burstNode,
          path
              + ": burst "
              + found(burstNode)
              + " is less than the rate "
              + found(rateNode)
              + " (expected: burst >= rate)");
    }
    if (errors.size() > before) {
      return null;
    }
    return new RateLimit(perSecond, burst, action, strike);
  }

  /** Units per second, or -1 (reported, unless absent: then already reported as missing). */
  private double rate(Node node, String path, boolean bytes) {
    if (node == null) {
      return -1;
    }
    String text = scalarText(node);
    double perSecond = text == null ? -1 : Quantities.parseRate(text, bytes);
    if (perSecond <= 0) {
      String like =
          bytes
              ? "rate like 8MiB/s or 512KiB/s (size in " + Quantities.SIZE_UNITS + " per s or m)"
              : "rate like 20/s or 600/m";
      String hint =
          bytes && text != null ? Quantities.meantSize(text).map(m -> "; " + m).orElse("") : "";
      errors.at(
          node, path + ": " + found(node) + " (expected: " + like + ", more than 0" + hint + ")");
      return -1;
    }
    return perSecond;
  }

  private CountLimit countLimit(Node node, String path, LimitSpec spec) {
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(node, path, "mapping with " + String.join(", ", spec.keys()), spec.keys());
    if (m == null) {
      return null;
    }
    scope(m, spec);
    Node maxNode = m.required("max");
    Long max = amount(maxNode, m.pathOf("max"), spec, MAX_MESSAGE_SIZE, MAX_COUNT);
    Action action = action(m.required("action"), m.pathOf("action"), spec);
    Boolean strike = yaml.bool(m.get("strike"), m.pathOf("strike"), false);
    if (errors.size() > before) {
      return null;
    }
    return new CountLimit(max, action, strike);
  }

  /**
   * A limit's {@code burst} or {@code max}: a size for byte limits, a count otherwise, from 1 to
   * the given bound (remembered for the explanation's positions).
   */
  private Long amount(Node node, String path, LimitSpec spec, long maxBytes, long maxCount) {
    nodes.put(path, node);
    return spec.bytes()
        ? yaml.size(node, path, -1, 1, maxBytes)
        : yaml.integer(node, path, -1, 1, maxCount);
  }

  /**
   * A per-IP limit's {@code scope}: {@code node} (the default) or {@code fleet}, remembered with
   * its position for {@link #fleetWithoutCluster}.
   */
  private void scope(YamlMapping m, LimitSpec spec) {
    Node node = m.get("scope");
    if (!spec.scoped() || node == null) {
      return;
    }
    int index = yaml.oneOf(node, m.pathOf("scope"), SCOPES, 0);
    if (index == 1) {
      fleetScoped.add(
          new PerIpLimits.FleetScope(
              spec.key(), node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1));
    }
  }

  private Action action(Node node, String path, LimitSpec spec) {
    if (node == null) {
      return null;
    }
    int index = yaml.oneOf(node, path, spec.actionNames(), -1);
    return index < 0 ? null : spec.actions().get(index);
  }

  private AccessRules access(Node node, String path) {
    if (absent(node)) {
      return AccessRules.NONE;
    }
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(node, path, "mapping with " + String.join(", ", ACCESS_KEYS), ACCESS_KEYS);
    if (m == null) {
      return null;
    }
    Map<Cidr, Integer> allow = yaml.cidrs(m.get("allow"), m.pathOf("allow"));
    Map<Cidr, Integer> deny = yaml.cidrs(m.get("deny"), m.pathOf("deny"));
    Map<Cidr, Integer> trusted = yaml.cidrs(m.get("trustedProxies"), m.pathOf("trustedProxies"));
    Long ipv6Prefix =
        yaml.integer(
            m.get("ipv6Prefix"), m.pathOf("ipv6Prefix"), AccessRules.NONE.ipv6Prefix(), 1, 128);
    if (allow != null && deny != null) {
      for (Map.Entry<Cidr, Integer> d : deny.entrySet()) {
        Integer same = allow.get(d.getKey());
        if (same != null) {
          errors.at(
              items(m.get("deny")).get(d.getValue()),
              m.pathOf("deny")
                  + "["
                  + d.getValue()
                  + "]: "
                  + d.getKey()
                  + " (also in "
                  + m.pathOf("allow")
                  + "["
                  + same
                  + "]; expected: each block in allow or deny, not both)");
        }
      }
      for (Map.Entry<Cidr, Integer> a : allow.entrySet()) {
        for (Map.Entry<Cidr, Integer> d : deny.entrySet()) {
          if (!a.getKey().equals(d.getKey()) && d.getKey().contains(a.getKey())) {
            errors.at(
                items(m.get("allow")).get(a.getValue()),
                m.pathOf("allow")
                    + "["
                    + a.getValue()
                    + "]: "
                    + a.getKey()
                    + " lies inside "
                    + m.pathOf("deny")
                    + "["
                    + d.getValue()
                    + "] "
                    + d.getKey()
                    + " (expected: allow blocks outside every deny block; this one can never match)");
            break;
          }
        }
      }
    }
    if (errors.size() > before) {
      return null;
    }
    return new AccessRules(
        List.copyOf(allow.keySet()),
        List.copyOf(deny.keySet()),
        List.copyOf(trusted.keySet()),
        ipv6Prefix.intValue());
  }

  private static List<Node> items(Node node) {
    return ((SequenceNode) node).getValue();
  }

  private StrikeRules strikes(Node node, String path) {
    if (absent(node)) {
      return null;
    }
    int before = errors.size();
    YamlMapping m = yaml.mapping(node, path, "mapping with max, window, ban", STRIKE_KEYS);
    if (m == null) {
      return null;
    }
    Long max = yaml.integer(m.required("max"), m.pathOf("max"), -1, 1, MAX_COUNT);
    Duration window =
        yaml.duration(m.required("window"), m.pathOf("window"), null, Duration.ofSeconds(1));
    Duration ban =
        yaml.duration(
            m.required("ban"), m.pathOf("ban"), null, Duration.ofSeconds(1), Quantities.MAX_BAN);
    Boolean protocol =
        yaml.bool(m.get("protocolViolations"), m.pathOf("protocolViolations"), false);
    if (errors.size() > before
        || max == null
        || window == null
        || ban == null
        || protocol == null) {
      return null;
    }
    return new StrikeRules(max.intValue(), window, ban, protocol);
  }

  /**
   * Checks one string of a list; returns the value to keep (normalized) or {@code null} when
   * invalid.
   */
  private interface ItemCheck {
    String check(String text);
  }

  /** A list of strings, each checked and each listed once; {@code null} on error. */
  private List<String> strings(
      Node node, String path, String expected, boolean ignoreCase, ItemCheck check) {
    if (absent(node)) {
      return List.of();
    }
    List<Node> items = yaml.list(node, path, "list of " + expected, null);
    if (items == null) {
      return null;
    }
    int before = errors.size();
    List<String> result = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = path + "[" + i + "]";
      String text = yaml.string(items.get(i), itemPath, expected);
      if (text == null) {
        continue;
      }
      String value = check.check(text);
      if (value == null) {
        errors.at(
            items.get(i), itemPath + ": " + found(items.get(i)) + " (expected: " + expected + ")");
        continue;
      }
      Integer previous = seen.putIfAbsent(ignoreCase ? value.toLowerCase(Locale.ROOT) : value, i);
      if (previous != null) {
        errors.at(
            items.get(i),
            itemPath + ": " + value + " (already listed as " + path + "[" + previous + "])");
      }
      result.add(value);
    }
    return errors.size() > before ? null : result;
  }
}
