package io.wssguard.config;

import static io.wssguard.config.YamlReader.found;
import static io.wssguard.config.YamlReader.isNull;
import static io.wssguard.config.YamlReader.isOff;

import io.wssguard.net.Cidr;
import io.wssguard.quantity.Quantities;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads wssguard's YAML configuration into a validated {@link ProxyConfig}. The format is
 * documented in {@code docs/CONFIG.md} and in the header of {@code default-config.yaml}.
 *
 * <p>SnakeYAML is used only to compose a node graph, never to construct objects ({@link
 * YamlReader}, shared with the policy parser): every node keeps its line and column, so each error
 * points at the value it is about, tags and anchors cannot instantiate anything, and the schema
 * walk below alone decides what a value means. The walk does not stop at the first problem. A bad
 * value is reported and skipped and the walk goes on, so one run shows every mistake in the file
 * (up to {@link #MAX_ERRORS}); the records are built, and returned, only when nothing at all was
 * wrong.
 *
 * <p>The parser touches no file but the config file itself: certificate and CA paths and the
 * policies directory are resolved, not opened (certificates may be generated at start-up; policy
 * files are read by {@code io.wssguard.policy.PolicyParser}). Bind host names are resolved, so a
 * bad one fails here.
 */
public final class ConfigParser {
  /** At most this many errors are kept; {@link ConfigException#omitted()} counts the rest. */
  public static final int MAX_ERRORS = 50;

  static final String DEFAULTS_RESOURCE = "/io/wssguard/config/default-config.yaml";
  static final String DEFAULTS_NAME = "<embedded defaults>";

  static final TimeoutsConfig DEFAULT_TIMEOUTS =
      new TimeoutsConfig(
          Duration.ofSeconds(10),
          (int) (8 * Quantities.KIB),
          Duration.ofSeconds(300),
          Duration.ofSeconds(30),
          Duration.ofSeconds(10));
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_DOWN_TIME = Duration.ofSeconds(10);
  static final long DEFAULT_MAX_MESSAGE_BYTES = Quantities.MIB;
  static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** The policy a route uses when it names none; the embedded default policy file defines it. */
  public static final String DEFAULT_POLICY = "default";

  private static final List<String> TOP_KEYS =
      List.of(
          "listeners",
          "backends",
          "routes",
          "timeouts",
          "demoBackend",
          "policies",
          "bans",
          "admin",
          "limits",
          "cluster",
          "record");
  private static final List<String> LISTENER_KEYS = List.of("name", "bind", "tls", "proxyProtocol");
  private static final List<String> PROXY_PROTOCOL_KEYS = List.of("trusted");
  private static final List<String> TLS_KEYS =
      List.of(
          "engine",
          "fallbackToJdk",
          "protocols",
          "certificates",
          "sessionTickets",
          "ticketKeyRotation");
  private static final List<String> CERTIFICATE_KEYS =
      List.of("chain", "key", "serverNames", "generateIfMissing");

  /** Generous: a guard against reconnect storms after a restart, not a traffic limit. */
  static final long DEFAULT_MAX_CONNECTS_PER_SECOND = 2000;

  private static final List<String> BACKEND_KEYS =
      List.of(
          "servers",
          "balance",
          "connectTimeout",
          "downTime",
          "maxConnectsPerSecond",
          "tls",
          "resolveEvery");
  private static final List<String> BACKEND_TLS_KEYS = List.of("ca", "insecure");
  private static final List<String> ROUTE_KEYS =
      List.of(
          "path",
          "host",
          "backend",
          "permessageDeflate",
          "maxMessageBytes",
          "policy",
          "normalizePath");
  private static final List<String> TIMEOUT_KEYS =
      List.of("handshake", "maxHeaderBytes", "idle", "ping", "drain");
  private static final List<String> DEMO_KEYS = List.of("bind");
  private static final List<String> POLICIES_KEYS = List.of("dir", "watch");
  private static final List<String> BANS_KEYS = List.of("journal", "firewall", "max");
  private static final List<String> FIREWALL_KEYS =
      List.of("backend", "apply", "rulesFile", "ports");
  private static final List<String> FIREWALL_BACKENDS =
      List.of("ipset", "nftables", "iptables", "none");
  private static final Map<String, BansConfig.Backend> FIREWALL_BACKEND_VALUES =
      YamlReader.choices(
          Map.entry("ipset", BansConfig.Backend.IPSET),
          Map.entry("nftables", BansConfig.Backend.NFTABLES),
          Map.entry("iptables", BansConfig.Backend.IPTABLES));

  /** iptables multiport matches at most this many ports. */
  private static final int MAX_FIREWALL_PORTS = 15;

  private static final List<String> ADMIN_KEYS =
      List.of("bind", "tokenFile", "generateToken", "hostNames", "widestBan", "accessLog");
  private static final List<String> WIDEST_BAN_KEYS = List.of("ipv4", "ipv6");
  private static final List<String> LIMITS_KEYS = List.of("maxConnections");
  private static final List<String> CLUSTER_KEYS =
      List.of("redis", "node", "passwordFile", "keyPrefix", "syncInterval");
  private static final String EXPECTED_REDIS =
      "redis:// or rediss:// URI with host, like redis://10.0.0.5:6379/0; port 1..65535;"
          + " database 0..65535; a user name at most (the password goes in cluster.passwordFile);"
          + " no query or fragment";
  private static final String EXPECTED_SENTINEL =
      "redis-sentinel://[user@]host[:port][,host[:port]...][/database]#primary, like"
          + " redis-sentinel://10.0.0.5:26379,10.0.0.6:26379/0#wssguard; port default 26379,"
          + " database 0..65535, primary 1..64 of A-Z a-z 0-9 . _ -";
  private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9:._-]{1,64}");
  private static final Pattern DATABASE = Pattern.compile("/?|/[0-9]{1,5}");
  private static final List<String> RECORD_KEYS = List.of("dir", "maxBytes", "sample");

  /** Far above what one process can hold (two sockets per conversation). */
  static final long MAX_CONNECTIONS = 10_000_000;

  private static final Map<String, TlsEngine> ENGINES =
      YamlReader.choices(
          Map.entry("boringssl", TlsEngine.BORINGSSL), Map.entry("jdk", TlsEngine.JDK));
  private static final Map<String, Balance> BALANCES =
      YamlReader.choices(
          Map.entry("round-robin", Balance.ROUND_ROBIN),
          Map.entry("least-connections", Balance.LEAST_CONNECTIONS));

  private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");
  private static final Pattern PATH_PREFIX = Pattern.compile("/[^\\s?#]*");
  private static final String EXPECTED_NAME = "name made of a-z, 0-9 and -";
  private static final String EXPECTED_BIND = "host:port or [v6]:port, port 0..65535";
  private static final String EXPECTED_SERVER =
      "ws:// or wss:// URI with host, like ws://10.0.0.5:9000/; port 1..65535; no user info, query or fragment";
  private static final String EXPECTED_HOST = "host name like example.com";
  private static final String EXPECTED_SERVER_NAME = "host name like example.com or *.example.com";

  private final ErrorList errors;
  private final YamlReader yaml;
  private final Path baseDir;

  /** Owners of the bind addresses seen so far, for the overlap check. */
  private final Map<InetSocketAddress, String> binds = new LinkedHashMap<>();

  /**
   * The backend group names, or {@code null} when the backends section is unusable (no reference
   * check then).
   */
  private List<String> groupNames;

  /** {@code policies.watch}, read with the policies block. */
  private Boolean watchPolicies;

  private ConfigParser(String displayName, Path baseDir) {
    this.errors = new ErrorList(displayName);
    this.yaml = new YamlReader(errors, "configuration");
    this.baseDir = baseDir;
  }

  /**
   * Reads and validates a config file. Errors are reported with the file name as given; relative
   * paths inside it are resolved against the file's directory.
   */
  public static ProxyConfig parse(Path file) throws ConfigException {
    Path source = file.toAbsolutePath().normalize();
    ConfigParser parser = new ConfigParser(file.toString(), source.getParent());
    byte[] bytes = YamlReader.readFile(file, parser.errors);
    String text = bytes == null ? null : YamlReader.decodeUtf8(bytes, parser.errors);
    if (text == null) {
      throw parser.errors.toException();
    }
    return parser.read(text, source);
  }

  /**
   * Validates config text that did not come from a file of its own (tests, stdin). The result's
   * {@link ProxyConfig#source()} is {@code null}.
   *
   * @param displayName the name errors are reported under
   * @param baseDir what relative paths in the text are resolved against
   */
  public static ProxyConfig parse(String yamlText, String displayName, Path baseDir)
      throws ConfigException {
    return new ConfigParser(displayName, baseDir.toAbsolutePath().normalize()).read(yamlText, null);
  }

  /**
   * The configuration wssguard runs with when given none: a TLS listener on 127.0.0.1:8443 with a
   * generated development certificate in front of the built-in demo backend. Relative paths resolve
   * against the working directory.
   *
   * @throws IllegalStateException if the embedded resource is missing or invalid (a build defect)
   */
  public static ProxyConfig embeddedDefaults() {
    try (InputStream in = ConfigParser.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + DEFAULTS_RESOURCE + " is missing from the build");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return parse(text, DEFAULTS_NAME, Path.of(""));
    } catch (IOException | ConfigException e) {
      throw new IllegalStateException(
          "embedded default configuration is broken:\n" + e.getMessage(), e);
    }
  }

  private ProxyConfig read(String text, Path source) throws ConfigException {
    Node root = yaml.compose(text);
    if (root == null) {
      if (errors.size() == 0) {
        errors.at(
            1, 1, "configuration is empty (expected: mapping with listeners, backends, routes)");
      }
      throw errors.toException();
    }
    YamlMapping top = yaml.mapping(root, "", "mapping with listeners, backends, routes", TOP_KEYS);
    if (top == null) {
      throw errors.toException();
    }
    List<ListenerConfig> listeners = listeners(top.required("listeners"));
    Map<String, BackendGroupConfig> backends = backends(top.required("backends"));
    List<RouteConfig> routes = routes(top.required("routes"));
    TimeoutsConfig timeouts = timeouts(top.get("timeouts"));
    DemoBackendConfig demoBackend = demoBackend(top.get("demoBackend"));
    Path policiesDir = policies(top.get("policies"));
    BansConfig bans = bans(top.get("bans"), listeners);
    AdminConfig admin = admin(top.get("admin"));
    LimitsConfig limits = limits(top.get("limits"));
    ClusterConfig cluster = cluster(top.get("cluster"));
    RecordConfig record = record(top.get("record"));
    if (errors.size() > 0) {
      throw errors.toException();
    }
    return new ProxyConfig(
        listeners,
        backends,
        routes,
        timeouts,
        demoBackend,
        policiesDir,
        bans,
        source,
        admin,
        limits,
        Boolean.TRUE.equals(watchPolicies),
        cluster,
        record);
  }

  // ---- sections ----

  private List<ListenerConfig> listeners(Node node) {
    List<Node> items = yaml.list(node, "listeners", "list of listeners", "listener");
    if (items == null) {
      return null;
    }
    List<ListenerConfig> result = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "listeners[" + i + "]";
      YamlMapping m =
          yaml.mapping(
              items.get(i), path, "mapping with name, bind, tls, proxyProtocol", LISTENER_KEYS);
      if (m == null) {
        continue;
      }
      Node nameNode = m.required("name");
      String name = name(nameNode, m.pathOf("name"));
      if (name != null) {
        String previous = names.putIfAbsent(name, path);
        if (previous != null) {
          errors.at(
              nameNode, m.pathOf("name") + ": " + name + " (already used by " + previous + ")");
        }
      }
      InetSocketAddress bind = bind(m.required("bind"), m.pathOf("bind"), path);
      Node tlsNode = m.get("tls");
      TlsConfig tls = tlsNode == null ? null : tls(tlsNode, m.pathOf("tls"));
      List<Cidr> proxyProtocolFrom =
          proxyProtocol(m.get("proxyProtocol"), m.pathOf("proxyProtocol"));
      result.add(new ListenerConfig(name, bind, tls, proxyProtocolFrom));
    }
    return result;
  }

  private TlsConfig tls(Node node, String path) {
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(
            node, path, "mapping with certificates; omit tls for a plain ws:// listener", TLS_KEYS);
    if (m == null) {
      return null;
    }
    TlsEngine engine =
        yaml.oneOf(m.get("engine"), m.pathOf("engine"), ENGINES, TlsEngine.BORINGSSL);
    Boolean fallbackToJdk = yaml.bool(m.get("fallbackToJdk"), m.pathOf("fallbackToJdk"), false);
    List<String> protocols = protocols(m.get("protocols"), m.pathOf("protocols"));
    List<CertificateConfig> certificates =
        certificates(m.required("certificates"), m.pathOf("certificates"));
    Boolean sessionTickets = yaml.bool(m.get("sessionTickets"), m.pathOf("sessionTickets"), true);
    Duration ticketKeyRotation =
        yaml.duration(
            m.get("ticketKeyRotation"),
            m.pathOf("ticketKeyRotation"),
            TlsConfig.DEFAULT_TICKET_KEY_ROTATION,
            TlsConfig.MIN_TICKET_KEY_ROTATION,
            TlsConfig.MAX_TICKET_KEY_ROTATION);
    if (errors.size() > before) {
      return null;
    }
    return new TlsConfig(
        engine, fallbackToJdk, certificates, protocols, sessionTickets, ticketKeyRotation);
  }

  private List<String> protocols(Node node, String path) {
    if (node == null) {
      return DEFAULT_PROTOCOLS;
    }
    List<Node> items = yaml.list(node, path, "list of TLSv1.3, TLSv1.2", "protocol");
    if (items == null) {
      return null;
    }
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = path + "[" + i + "]";
      int index = yaml.oneOf(items.get(i), itemPath, DEFAULT_PROTOCOLS, -1);
      if (index < 0) {
        continue;
      }
      String protocol = DEFAULT_PROTOCOLS.get(index);
      Integer previous = seen.putIfAbsent(protocol, i);
      if (previous != null) {
        errors.at(
            items.get(i),
            itemPath + ": " + protocol + " (already listed as " + path + "[" + previous + "])");
      }
    }
    return new ArrayList<>(seen.keySet());
  }

  private List<CertificateConfig> certificates(Node node, String path) {
    List<Node> items = yaml.list(node, path, "list of certificates", "certificate");
    if (items == null) {
      return null;
    }
    List<CertificateConfig> result = new ArrayList<>();
    String defaultPath = null;
    Map<String, String> serverNameOwners = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String certPath = path + "[" + i + "]";
      YamlMapping m =
          yaml.mapping(
              items.get(i), certPath, "mapping with chain, key, serverNames", CERTIFICATE_KEYS);
      if (m == null) {
        continue;
      }
      int before = errors.size();
      Path chain = file(m.required("chain"), m.pathOf("chain"));
      Path key = file(m.required("key"), m.pathOf("key"));
      Boolean generate =
          yaml.bool(m.get("generateIfMissing"), m.pathOf("generateIfMissing"), false);
      Node namesNode = m.get("serverNames");
      List<String> serverNames =
          serverNames(namesNode, m.pathOf("serverNames"), certPath, serverNameOwners);
      if (serverNames != null && serverNames.isEmpty()) {
        if (defaultPath == null) {
          defaultPath = certPath;
        } else {
          errors.at(
              namesNode != null ? namesNode : m.node(),
              m.pathOf("serverNames")
                  + ": [] (expected: host names;"
                  + " only one certificate may be the default, and "
                  + defaultPath
                  + " already is)");
        }
      }
      if (errors.size() == before) {
        result.add(new CertificateConfig(chain, key, serverNames, generate));
      }
    }
    return result;
  }

  private List<String> serverNames(
      Node node, String path, String certPath, Map<String, String> owners) {
    if (node == null) {
      return List.of();
    }
    List<Node> items = yaml.list(node, path, "list of host names", null);
    if (items == null) {
      return null;
    }
    List<String> result = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = path + "[" + i + "]";
      String text = yaml.string(items.get(i), itemPath, EXPECTED_SERVER_NAME);
      if (text == null) {
        continue;
      }
      String name = Addresses.lowerCase(text);
      if (!Addresses.isHostName(name, true)) {
        errors.at(
            items.get(i),
            itemPath + ": " + found(items.get(i)) + " (expected: " + EXPECTED_SERVER_NAME + ")");
        continue;
      }
      String previous = owners.putIfAbsent(name, certPath);
      if (previous != null) {
        errors.at(items.get(i), itemPath + ": " + name + " (already listed in " + previous + ")");
      }
      result.add(name);
    }
    return result;
  }

  private Map<String, BackendGroupConfig> backends(Node node) {
    if (node == null) {
      return null;
    }
    YamlMapping m = yaml.mapping(node, "backends", "mapping of group name to backend group", null);
    if (m == null) {
      return null;
    }
    if (m.keys().isEmpty()) {
      errors.at(node, "backends: {} (expected: at least one backend group)");
      return null;
    }
    groupNames = new ArrayList<>(m.keys());
    Map<String, BackendGroupConfig> result = new LinkedHashMap<>();
    for (String name : m.keys()) {
      String path = m.pathOf(name);
      if (!NAME.matcher(name).matches()) {
        errors.at(
            m.keyNode(name),
            path + ": invalid group name '" + name + "' (expected: " + EXPECTED_NAME + ")");
      }
      BackendGroupConfig group = backendGroup(m.get(name), path, name);
      if (group != null) {
        result.put(name, group);
      }
    }
    return result;
  }

  /** The load balancers allowed to send a PROXY protocol header; empty when the block is absent. */
  private List<Cidr> proxyProtocol(Node node, String path) {
    if (node == null || isNull(node)) {
      return List.of();
    }
    YamlMapping m = yaml.mapping(node, path, "mapping with trusted", PROXY_PROTOCOL_KEYS);
    if (m == null) {
      return List.of();
    }
    Node trustedNode = m.required("trusted");
    Map<Cidr, Integer> trusted = yaml.cidrs(trustedNode, m.pathOf("trusted"));
    if (trusted == null) {
      return List.of();
    }
    if (trusted.isEmpty() && trustedNode != null) {
      errors.at(
          trustedNode,
          m.pathOf("trusted")
              + ": [] (expected: at least one address block of the load"
              + " balancers that send PROXY headers)");
    }
    return List.copyOf(trusted.keySet());
  }

  private BackendGroupConfig backendGroup(Node node, String path, String name) {
    int before = errors.size();
    YamlMapping m = yaml.mapping(node, path, "mapping with servers", BACKEND_KEYS);
    if (m == null) {
      return null;
    }
    List<URI> servers = servers(m.required("servers"), m.pathOf("servers"));
    Balance balance =
        yaml.oneOf(m.get("balance"), m.pathOf("balance"), BALANCES, Balance.ROUND_ROBIN);
    Duration min = Duration.ofMillis(1);
    Duration connectTimeout =
        yaml.duration(
            m.get("connectTimeout"), m.pathOf("connectTimeout"), DEFAULT_CONNECT_TIMEOUT, min);
    Duration downTime =
        yaml.duration(m.get("downTime"), m.pathOf("downTime"), DEFAULT_DOWN_TIME, min);
    Long connectsPerSecond =
        yaml.integer(
            m.get("maxConnectsPerSecond"),
            m.pathOf("maxConnectsPerSecond"),
            DEFAULT_MAX_CONNECTS_PER_SECOND,
            1,
            1_000_000);
    Node tlsNode = m.get("tls");
    BackendTlsConfig tls = BackendTlsConfig.DEFAULT;
    if (tlsNode != null) {
      tls = backendTls(tlsNode, m.pathOf("tls"));
      if (servers != null && servers.stream().noneMatch(uri -> uri.getScheme().equals("wss"))) {
        errors.at(
            tlsNode,
            m.pathOf("tls")
                + ": set, but no server of "
                + path
                + " uses wss:// (expected: tls only with wss:// servers)");
      }
    }
    Duration resolveEvery =
        yaml.duration(
            m.get("resolveEvery"),
            m.pathOf("resolveEvery"),
            BackendGroupConfig.DEFAULT_RESOLVE_EVERY,
            Duration.ofSeconds(1));
    if (errors.size() > before) {
      return null;
    }
    return new BackendGroupConfig(
        name,
        servers,
        balance,
        connectTimeout,
        downTime,
        connectsPerSecond.intValue(),
        tls,
        resolveEvery);
  }

  private List<URI> servers(Node node, String path) {
    List<Node> items = yaml.list(node, path, "list of ws:// or wss:// URIs", "server");
    if (items == null) {
      return null;
    }
    return distinctUris(items, path, this::serverUri);
  }

  /**
   * The URIs of a list, each read by {@code read} (null when reported), in order; a URI listed
   * twice is an error naming the first.
   */
  private List<URI> distinctUris(
      List<Node> items, String path, BiFunction<Node, String, URI> read) {
    Map<URI, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = path + "[" + i + "]";
      URI uri = read.apply(items.get(i), itemPath);
      if (uri == null) {
        continue;
      }
      Integer previous = seen.putIfAbsent(uri, i);
      if (previous != null) {
        errors.at(
            items.get(i),
            itemPath + ": " + uri + " (already listed as " + path + "[" + previous + "])");
      }
    }
    return new ArrayList<>(seen.keySet());
  }

  /**
   * The URI with scheme and host lower-cased, the default port made explicit and an empty path made
   * "/".
   */
  private URI serverUri(Node node, String path) {
    String text = yaml.string(node, path, EXPECTED_SERVER);
    if (text == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      uri = null;
    }
    String scheme =
        uri == null || uri.getScheme() == null ? "" : Addresses.lowerCase(uri.getScheme());
    boolean secure = scheme.equals("wss");
    if (uri == null
        || !(secure || scheme.equals("ws"))
        || uri.isOpaque()
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getPort() == 0
        || uri.getPort() > 65535) {
      errors.at(node, path + ": " + found(node) + " (expected: " + EXPECTED_SERVER + ")");
      return null;
    }
    int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
    String rawPath =
        uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return URI.create(scheme + "://" + Addresses.lowerCase(uri.getHost()) + ":" + port + rawPath);
  }

  private BackendTlsConfig backendTls(Node node, String path) {
    int before = errors.size();
    YamlMapping m = yaml.mapping(node, path, "mapping with ca, insecure", BACKEND_TLS_KEYS);
    if (m == null) {
      return null;
    }
    Node caNode = m.get("ca");
    Path ca = caNode == null ? null : file(caNode, m.pathOf("ca"));
    Node insecureNode = m.get("insecure");
    Boolean insecure = yaml.bool(insecureNode, m.pathOf("insecure"), false);
    if (caNode != null && Boolean.TRUE.equals(insecure)) {
      errors.at(
          insecureNode,
          m.pathOf("insecure")
              + ": true (expected: false when ca is set; trust a CA or "
              + "nothing, not both)");
    }
    return errors.size() > before ? null : new BackendTlsConfig(ca, insecure);
  }

  private List<RouteConfig> routes(Node node) {
    List<Node> items = yaml.list(node, "routes", "list of routes", "route");
    if (items == null) {
      return null;
    }
    List<RouteConfig> result = new ArrayList<>();
    Map<List<String>, String> seen = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "routes[" + i + "]";
      YamlMapping m =
          yaml.mapping(items.get(i), path, "mapping with path, host, backend", ROUTE_KEYS);
      if (m == null) {
        continue;
      }
      String prefix = pathPrefix(m.get("path"), m.pathOf("path"));
      String host = host(m.get("host"), m.pathOf("host"));
      Node backendNode = m.required("backend");
      String backend = yaml.string(backendNode, m.pathOf("backend"), "backend group name");
      if (backend != null && groupNames != null && !groupNames.contains(backend)) {
        errors.at(
            backendNode,
            m.pathOf("backend")
                + ": unknown backend group '"
                + backend
                + "' (expected one of: "
                + String.join(", ", groupNames)
                + ")");
      }
      Boolean deflate = yaml.bool(m.get("permessageDeflate"), m.pathOf("permessageDeflate"), false);
      Long maxMessageBytes =
          yaml.size(
              m.get("maxMessageBytes"),
              m.pathOf("maxMessageBytes"),
              DEFAULT_MAX_MESSAGE_BYTES,
              1,
              2 * Quantities.GIB);
      Node policyNode = m.get("policy");
      String policy = policyNode == null ? DEFAULT_POLICY : name(policyNode, m.pathOf("policy"));
      Boolean normalizePath = yaml.bool(m.get("normalizePath"), m.pathOf("normalizePath"), false);
      if (prefix != null) {
        String previous = seen.putIfAbsent(Arrays.asList(host, prefix), path);
        if (previous != null) {
          errors.at(
              m.node(),
              path
                  + ": same host and path as "
                  + previous
                  + " (expected: each host and path once;"
                  + " the first route wins, so this one never would)");
        }
      }
      result.add(
          new RouteConfig(
              host,
              prefix,
              backend,
              Boolean.TRUE.equals(deflate),
              maxMessageBytes == null ? 0 : maxMessageBytes,
              policy,
              Boolean.TRUE.equals(normalizePath)));
    }
    return result;
  }

  private String pathPrefix(Node node, String path) {
    if (node == null) {
      return "/";
    }
    String text = yaml.string(node, path, "path prefix starting with /");
    if (text != null && !PATH_PREFIX.matcher(text).matches()) {
      errors.at(
          node,
          path + ": " + found(node) + " (expected: path prefix starting with /, without query)");
      return null;
    }
    return text;
  }

  private String host(Node node, String path) {
    if (node == null) {
      return null;
    }
    String text = yaml.string(node, path, EXPECTED_HOST);
    if (text == null) {
      return null;
    }
    String host = Addresses.lowerCase(text);
    if (!Addresses.isHostName(host, false)) {
      errors.at(
          node, path + ": " + found(node) + " (expected: " + EXPECTED_HOST + ", without port)");
      return null;
    }
    return host;
  }

  private TimeoutsConfig timeouts(Node node) {
    if (node == null || isNull(node)) {
      return DEFAULT_TIMEOUTS;
    }
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(
            node,
            "timeouts",
            "mapping with handshake, maxHeaderBytes, idle, ping, drain",
            TIMEOUT_KEYS);
    if (m == null) {
      return null;
    }
    Duration min = Duration.ofMillis(1);
    Duration handshake =
        yaml.duration(m.get("handshake"), m.pathOf("handshake"), DEFAULT_TIMEOUTS.handshake(), min);
    Long maxHeaderBytes =
        yaml.size(
            m.get("maxHeaderBytes"),
            m.pathOf("maxHeaderBytes"),
            DEFAULT_TIMEOUTS.maxHeaderBytes(),
            Quantities.KIB,
            64 * Quantities.KIB);
    Duration idle = yaml.duration(m.get("idle"), m.pathOf("idle"), DEFAULT_TIMEOUTS.idle(), min);
    Duration ping = yaml.duration(m.get("ping"), m.pathOf("ping"), DEFAULT_TIMEOUTS.ping(), min);
    Duration drain =
        yaml.duration(m.get("drain"), m.pathOf("drain"), DEFAULT_TIMEOUTS.drain(), Duration.ZERO);
    if (ping != null && idle != null && ping.compareTo(idle) >= 0) {
      // Point at the key the user wrote; with ping left at its default, that is idle.
      if (m.get("ping") != null) {
        String idleText =
            m.get("idle") != null ? found(m.get("idle")) : Quantities.formatDuration(idle);
        errors.at(
            m.get("ping"),
            "timeouts.ping: "
                + found(m.get("ping"))
                + " (expected: less than timeouts.idle, "
                + idleText
                + ")");
      } else {
        errors.at(
            m.get("idle"),
            "timeouts.idle: "
                + found(m.get("idle"))
                + " (expected: more than timeouts.ping, "
                + Quantities.formatDuration(ping)
                + ")");
      }
    }
    if (errors.size() > before) {
      return null;
    }
    return new TimeoutsConfig(handshake, maxHeaderBytes.intValue(), idle, ping, drain);
  }

  /** Process-wide limits; absent: {@link LimitsConfig#DEFAULT}. */
  private LimitsConfig limits(Node node) {
    if (node == null || isNull(node)) {
      return LimitsConfig.DEFAULT;
    }
    YamlMapping m = yaml.mapping(node, "limits", "mapping with maxConnections", LIMITS_KEYS);
    if (m == null) {
      return null;
    }
    Long max =
        yaml.integer(
            m.get("maxConnections"),
            m.pathOf("maxConnections"),
            LimitsConfig.DERIVED,
            1,
            MAX_CONNECTIONS);
    return max == null ? null : new LimitsConfig(max.intValue());
  }

  /** Traffic recording, or {@code null} (absent block, or {@code off}): nothing recorded. */
  private RecordConfig record(Node node) {
    if (node == null || isNull(node) || isOff(node)) {
      return null;
    }
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(node, "record", "mapping with dir, maxBytes, sample, or off", RECORD_KEYS);
    if (m == null) {
      return null;
    }
    Node dirNode = m.required("dir");
    Path dir = dirNode == null ? null : file(dirNode, m.pathOf("dir"));
    Long maxBytes =
        yaml.size(
            m.get("maxBytes"),
            m.pathOf("maxBytes"),
            RecordConfig.DEFAULT_MAX_BYTES,
            RecordConfig.MIN_MAX_BYTES,
            RecordConfig.MAX_MAX_BYTES);
    Double sample = yaml.share(m.get("sample"), m.pathOf("sample"), 1.0);
    if (errors.size() > before || dir == null) {
      return null;
    }
    return new RecordConfig(dir, maxBytes, sample);
  }

  private DemoBackendConfig demoBackend(Node node) {
    if (node == null || isNull(node) || isOff(node)) {
      return null;
    }
    YamlMapping m = yaml.mapping(node, "demoBackend", "mapping with bind, or off", DEMO_KEYS);
    if (m == null) {
      return null;
    }
    InetSocketAddress bind = bind(m.required("bind"), m.pathOf("bind"), "demoBackend");
    return bind == null ? null : new DemoBackendConfig(bind);
  }

  /**
   * The policies directory, or {@code null} (absent block): the embedded default policy is used.
   */
  private Path policies(Node node) {
    if (node == null || isNull(node)) {
      return null;
    }
    YamlMapping m = yaml.mapping(node, "policies", "mapping with dir", POLICIES_KEYS);
    if (m == null) {
      return null;
    }
    // policies.watch: off unless asked for, so an edit goes live only when the operator reloads.
    watchPolicies = yaml.bool(m.get("watch"), m.pathOf("watch"), false);
    Node dirNode = m.required("dir");
    return dirNode == null ? null : file(dirNode, m.pathOf("dir"));
  }

  /**
   * The ban journal and firewall, or {@code null} (absent block): bans in memory only, nothing in
   * the kernel.
   */
  private BansConfig bans(Node node, List<ListenerConfig> listeners) {
    if (node == null || isNull(node)) {
      return null;
    }
    int before = errors.size();
    YamlMapping m = yaml.mapping(node, "bans", "mapping with journal, firewall, max", BANS_KEYS);
    if (m == null) {
      return null;
    }
    Long max =
        yaml.integer(
            m.get("max"),
            m.pathOf("max"),
            BansConfig.DEFAULT_MAX,
            BansConfig.MIN_MAX,
            BansConfig.MAX_MAX);
    Node journalNode = m.get("journal");
    Path journal =
        journalNode == null || isNull(journalNode) ? null : file(journalNode, m.pathOf("journal"));
    BansConfig.Firewall firewall = firewall(m.get("firewall"), m.pathOf("firewall"), listeners);
    if (firewall != null && (journalNode == null || isNull(journalNode))) {
      errors.at(
          m.get("firewall"),
          m.pathOf("firewall")
              + ": backend "
              + firewall.backend().name().toLowerCase(Locale.ROOT)
              + ", but bans has no journal (expected: bans.journal as well; the rules are built from the journalled"
              + " ban list)");
    }
    return errors.size() > before ? null : new BansConfig(journal, firewall, max.intValue());
  }

  private BansConfig.Firewall firewall(Node node, String path, List<ListenerConfig> listeners) {
    if (node == null || isNull(node)) {
      return null;
    }
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(node, path, "mapping with backend, apply, rulesFile, ports", FIREWALL_KEYS);
    if (m == null) {
      return null;
    }
    int backend =
        yaml.oneOf(
            m.get("backend"), m.pathOf("backend"), FIREWALL_BACKENDS, FIREWALL_BACKENDS.size() - 1);
    if (backend == FIREWALL_BACKENDS.size() - 1) {
      for (String key : FIREWALL_KEYS.subList(1, FIREWALL_KEYS.size())) {
        if (m.get(key) != null) {
          errors.at(
              m.keyNode(key),
              m.pathOf(key)
                  + ": set, but backend is none (expected: backend ipset, nftables"
                  + " or iptables, or no "
                  + key
                  + ")");
        }
      }
      return null;
    }
    Boolean apply = yaml.bool(m.get("apply"), m.pathOf("apply"), true);
    Node rulesNode = m.get("rulesFile");
    Path rulesFile = null;
    if (Boolean.FALSE.equals(apply)) {
      rulesFile = rulesNode == null ? null : file(rulesNode, m.pathOf("rulesFile"));
      if (rulesNode == null) {
        errors.at(node, path + ": missing required key 'rulesFile' (needed with apply: false)");
      }
    } else if (rulesNode != null) {
      errors.at(
          rulesNode,
          m.pathOf("rulesFile")
              + ": "
              + found(rulesNode)
              + " (expected: only with apply: false;"
              + " with apply: true the rules are loaded directly)");
    }
    List<Integer> ports = firewallPorts(m.get("ports"), m.pathOf("ports"), listeners, m.node());
    if (errors.size() > before || backend < 0) {
      return null;
    }
    return new BansConfig.Firewall(
        FIREWALL_BACKEND_VALUES.get(FIREWALL_BACKENDS.get(backend)), apply, rulesFile, ports);
  }

  /** The ports given, or those of the listeners (port 0 left out: it is not known before start). */
  private List<Integer> firewallPorts(
      Node node, String path, List<ListenerConfig> listeners, Node firewall) {
    if (node == null) {
      if (listeners == null) {
        return List.of();
      }
      List<Integer> ports =
          listeners.stream()
              .filter(l -> l != null && l.bind() != null && l.bind().getPort() != 0)
              .map(l -> l.bind().getPort())
              .distinct()
              .toList();
      if (ports.isEmpty()) {
        errors.at(
            firewall,
            path
                + ": missing, and no listener has a fixed port (expected: the TCP ports to protect,"
                + " e.g. ports: [443])");
      } else if (ports.size() > MAX_FIREWALL_PORTS) {
        errors.at(
            firewall,
            path
                + ": the listeners use "
                + ports.size()
                + " ports (expected: at most "
                + MAX_FIREWALL_PORTS
                + "; list the ones to protect)");
      }
      return ports;
    }
    List<Node> items = yaml.list(node, path, "list of TCP ports", "port");
    if (items == null) {
      return List.of();
    }
    if (items.size() > MAX_FIREWALL_PORTS) {
      errors.at(
          node, path + ": " + items.size() + " ports (expected: 1 to " + MAX_FIREWALL_PORTS + ")");
    }
    Map<Long, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = path + "[" + i + "]";
      Long port = yaml.integer(items.get(i), itemPath, 0, 1, 65535);
      if (port == null) {
        continue;
      }
      Integer previous = seen.putIfAbsent(port, i);
      if (previous != null) {
        errors.at(
            items.get(i),
            itemPath + ": " + port + " (already listed as " + path + "[" + previous + "])");
      }
    }
    return seen.keySet().stream().map(Long::intValue).toList();
  }

  /**
   * The admin listener: loopback port 9090 when the block is absent; {@code bind: off} turns it
   * off. The token file defaults to {@code state/admin.token} against the file's directory (the
   * working directory for the embedded defaults), generated when missing; a file named here is one
   * the operator provides unless {@code generateToken: true}. Anything reachable from off the host
   * needs a token file named on purpose.
   */
  private AdminConfig admin(Node node) {
    if (node == null || isNull(node)) {
      return AdminConfig.defaults(baseDir);
    }
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(
            node,
            "admin",
            "mapping with bind, tokenFile, generateToken, hostNames, widestBan, accessLog",
            ADMIN_KEYS);
    if (m == null) {
      return null;
    }
    Node bindNode = m.get("bind");
    InetSocketAddress bind;
    if (bindNode == null) {
      bind = AdminConfig.defaults(baseDir).bind();
    } else if (isOff(bindNode)) {
      bind = null;
    } else {
      bind = bind(bindNode, m.pathOf("bind"), "admin");
    }
    Node tokenNode = m.get("tokenFile");
    Path tokenFile =
        tokenNode == null
            ? baseDir.resolve(AdminConfig.DEFAULT_TOKEN_FILE)
            : file(tokenNode, m.pathOf("tokenFile"));
    Boolean generateToken =
        yaml.bool(m.get("generateToken"), m.pathOf("generateToken"), tokenNode == null);
    List<String> hostNames = new ArrayList<>();
    Node namesNode = m.get("hostNames");
    if (namesNode != null) {
      List<Node> items = yaml.list(namesNode, m.pathOf("hostNames"), "list of host names", null);
      for (int i = 0; items != null && i < items.size(); i++) {
        String itemPath = m.pathOf("hostNames") + "[" + i + "]";
        String name = host(items.get(i), itemPath);
        if (name != null && hostNames.contains(name)) {
          errors.at(
              items.get(i),
              itemPath
                  + ": "
                  + found(items.get(i))
                  + " (already listed as "
                  + m.pathOf("hostNames")
                  + "["
                  + hostNames.indexOf(name)
                  + "])");
        }
        hostNames.add(name);
      }
    }
    AdminConfig.WidestBan widest = widestBan(m.get("widestBan"), m.pathOf("widestBan"));
    Boolean accessLog = yaml.bool(m.get("accessLog"), m.pathOf("accessLog"), false);
    if (bind != null && tokenNode == null && !bind.getAddress().isLoopbackAddress()) {
      errors.at(
          bindNode,
          m.pathOf("bind")
              + ": "
              + found(bindNode)
              + " (expected: a loopback address like "
              + "127.0.0.1:9090, or tokenFile set as well: the admin API is reachable from off this host)");
    }
    if (errors.size() > before) {
      return null;
    }
    return new AdminConfig(
        bind,
        tokenFile,
        Boolean.TRUE.equals(generateToken),
        hostNames.stream().filter(Objects::nonNull).toList(),
        widest,
        Boolean.TRUE.equals(accessLog),
        true);
  }

  /** {@code widestBan: {ipv4: 16, ipv6: 32}}: either key may be left out (then its default). */
  private AdminConfig.WidestBan widestBan(Node node, String path) {
    AdminConfig.WidestBan d = AdminConfig.WidestBan.DEFAULT;
    if (node == null || isNull(node)) {
      return d;
    }
    YamlMapping m = yaml.mapping(node, path, "mapping with ipv4, ipv6", WIDEST_BAN_KEYS);
    if (m == null) {
      return d;
    }
    Long v4 = yaml.integer(m.get("ipv4"), m.pathOf("ipv4"), d.ipv4(), 1, 32);
    Long v6 = yaml.integer(m.get("ipv6"), m.pathOf("ipv6"), d.ipv6(), 1, 128);
    return v4 == null || v6 == null ? d : new AdminConfig.WidestBan(v4.intValue(), v6.intValue());
  }

  /** The fleet, or {@code null} (absent block): a proxy on its own, no Redis. */
  private ClusterConfig cluster(Node node) {
    if (node == null || isNull(node)) {
      return null;
    }
    int before = errors.size();
    YamlMapping m =
        yaml.mapping(
            node,
            "cluster",
            "mapping with redis, node, passwordFile, keyPrefix, syncInterval",
            CLUSTER_KEYS);
    if (m == null) {
      return null;
    }
    List<URI> redis = redisUris(m.required("redis"), m.pathOf("redis"));
    Node nodeNode = m.required("node");
    String name = nodeNode == null ? null : name(nodeNode, m.pathOf("node"));
    if (name != null && !ClusterConfig.NODE.matcher(name).matches()) {
      errors.at(
          nodeNode,
          m.pathOf("node") + ": " + found(nodeNode) + " (expected: 1..63 of a-z, 0-9 and -)");
    }
    Node passwordNode = m.get("passwordFile");
    Path passwordFile = passwordNode == null ? null : file(passwordNode, m.pathOf("passwordFile"));
    String keyPrefix = ClusterConfig.DEFAULT_KEY_PREFIX;
    Node prefixNode = m.get("keyPrefix");
    if (prefixNode != null) {
      String expected = "1..64 of A-Z, a-z, 0-9 and : . _ -";
      keyPrefix = yaml.string(prefixNode, m.pathOf("keyPrefix"), expected);
      if (keyPrefix != null && !KEY_PREFIX.matcher(keyPrefix).matches()) {
        errors.at(
            prefixNode,
            m.pathOf("keyPrefix") + ": " + found(prefixNode) + " (expected: " + expected + ")");
      }
    }
    Duration syncInterval =
        yaml.duration(
            m.get("syncInterval"),
            m.pathOf("syncInterval"),
            ClusterConfig.DEFAULT_SYNC_INTERVAL,
            ClusterConfig.MIN_SYNC_INTERVAL,
            ClusterConfig.MAX_SYNC_INTERVAL);
    if (errors.size() > before) {
      return null;
    }
    return new ClusterConfig(redis, name, passwordFile, keyPrefix, syncInterval);
  }

  /** {@code redis:} one URI, or a list of them (tried in order). */
  private List<URI> redisUris(Node node, String path) {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof SequenceNode)) {
      URI uri = redisUri(node, path);
      return uri == null ? List.of() : List.of(uri);
    }
    List<Node> items = yaml.list(node, path, "redis:// URI or list of them", "URI");
    if (items == null) {
      return List.of();
    }
    return distinctUris(items, path, this::redisUri);
  }

  /** A {@code redis-sentinel://} URI in one spelling (see {@link SentinelSet}). */
  private URI sentinelUri(Node node, String path, String text) {
    int at = text.indexOf('@');
    if (at > 0 && text.substring(0, at).indexOf(':', SentinelSet.SCHEME.length() + 1) >= 0) {
      errors.at(
          node,
          path
              + ": a password in the URI (expected: the user name only; the password goes in"
              + " cluster.passwordFile, so it stays out of the configuration)");
      return null;
    }
    SentinelSet set = SentinelSet.parse(text);
    if (set == null) {
      errors.at(node, path + ": " + found(node) + " (expected: " + EXPECTED_SENTINEL + ")");
      return null;
    }
    return set.uri();
  }

  /** The URI with scheme and host lower-cased and the default port (6379) made explicit. */
  private URI redisUri(Node node, String path) {
    String text = yaml.string(node, path, EXPECTED_REDIS);
    if (text == null) {
      return null;
    }
    if (Addresses.lowerCase(text).startsWith(SentinelSet.SCHEME + "://")) {
      return sentinelUri(node, path, text);
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      uri = null;
    }
    String scheme =
        uri == null || uri.getScheme() == null ? "" : Addresses.lowerCase(uri.getScheme());
    if (uri != null && uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
      errors.at(
          node,
          path
              + ": a password in the URI (expected: the user name only; the password goes in"
              + " cluster.passwordFile, so it stays out of the configuration)");
      return null;
    }
    if (uri == null
        || !(scheme.equals("redis") || scheme.equals("rediss"))
        || uri.isOpaque()
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getPort() == 0
        || uri.getPort() > 65535
        || !DATABASE.matcher(uri.getRawPath() == null ? "" : uri.getRawPath()).matches()
        || (uri.getRawPath() != null
            && uri.getRawPath().length() > 1
            && Integer.parseInt(uri.getRawPath().substring(1)) > 65535)) {
      errors.at(node, path + ": " + found(node) + " (expected: " + EXPECTED_REDIS + ")");
      return null;
    }
    int port = uri.getPort() > 0 ? uri.getPort() : 6379;
    String database =
        uri.getRawPath() == null || uri.getRawPath().length() <= 1
            ? "0"
            : uri.getRawPath().substring(1);
    String user = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
    return URI.create(
        scheme
            + "://"
            + user
            + Addresses.lowerCase(uri.getHost())
            + ":"
            + port
            + "/"
            + Integer.parseInt(database));
  }

  // ---- values ----

  private String name(Node node, String path) {
    String text = yaml.string(node, path, EXPECTED_NAME);
    if (text != null && !NAME.matcher(text).matches()) {
      errors.at(node, path + ": " + found(node) + " (expected: " + EXPECTED_NAME + ")");
      return null;
    }
    return text;
  }

  /**
   * A bind address that no earlier listener (or the demo backend) already holds; port 0 never
   * conflicts.
   */
  private InetSocketAddress bind(Node node, String path, String owner) {
    String text = yaml.string(node, path, EXPECTED_BIND);
    if (text == null) {
      return null;
    }
    InetSocketAddress address;
    try {
      address = Addresses.parseBind(text);
    } catch (Addresses.BadAddress e) {
      String why = e.getMessage() == null ? "expected: " + EXPECTED_BIND : e.getMessage();
      errors.at(node, path + ": " + found(node) + " (" + why + ")");
      return null;
    }
    if (address.getPort() != 0) {
      for (Map.Entry<InetSocketAddress, String> other : binds.entrySet()) {
        InetSocketAddress taken = other.getKey();
        if (taken.getPort() != address.getPort()) {
          continue;
        }
        if (taken.equals(address)) {
          errors.at(
              node, path + ": " + found(node) + " (already used by " + other.getValue() + ")");
          return address;
        }
        if (taken.getAddress().isAnyLocalAddress() || address.getAddress().isAnyLocalAddress()) {
          errors.at(
              node,
              path
                  + ": "
                  + found(node)
                  + " (overlaps "
                  + Addresses.format(taken)
                  + " of "
                  + other.getValue()
                  + ")");
          return address;
        }
      }
      binds.put(address, owner);
    }
    return address;
  }

  private Path file(Node node, String path) {
    String text = yaml.string(node, path, "file path");
    if (text == null) {
      return null;
    }
    try {
      if (!text.isEmpty()) {
        return baseDir.resolve(Path.of(text)).normalize();
      }
    } catch (InvalidPathException e) {
      // reported below
    }
    errors.at(node, path + ": " + found(node) + " (expected: file path)");
    return null;
  }
}
