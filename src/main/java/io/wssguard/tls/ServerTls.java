package io.wssguard.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslCredential;
import io.netty.handler.ssl.OpenSslCredentialBuilder;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCounted;
import io.wssguard.config.CertificateConfig;
import io.wssguard.config.TlsConfig;
import io.wssguard.config.TlsEngine;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The server side of one TLS listener: certificates loaded and checked, an engine chosen, and an
 * {@link SSLContext} for Undertow's {@code addHttpsListener} that hands out engines already
 * restricted to TLS 1.3/1.2 and AEAD suites, with no ALPN (HTTP/2 stays off on WebSocket
 * listeners).
 *
 * <p><b>BoringSSL</b> is Netty's OpenSSL engine over netty-tcnative-boringssl-static, built with
 * {@link SslProvider#OPENSSL} (its engines free native state when closed or collected; {@code
 * OPENSSL_REFCNT} engines would leak because Undertow never calls {@code release()}). Each engine
 * is wrapped in a {@link GatheringSslEngine}. BoringSSL servers never renegotiate.
 *
 * <p>Per full handshake, as little as possible runs in Java (measured in BENCHMARKS.md). Where a
 * listener's choice of certificate does not depend on SNI (one certificate, or several none of
 * which names a server), each is given to BoringSSL once as a credential and Netty's certificate
 * callback is removed from the native context: BoringSSL picks the credential the client's
 * signature algorithms allow, with no call back into Java. Where SNI decides, Netty's callback asks
 * the {@link SniKeyManager}, with key material cached per alias in native form ({@link
 * OpenSslCachingX509KeyManagerFactory}). Either way the callback, if any, runs inside the handshake
 * call ({@code USE_TASKS} off), not as a delegated task that Undertow would send round the IO
 * thread's queue.
 *
 * <p>Session tickets (TLS 1.3 PSK resumption, and TLS 1.2 tickets) are encrypted with the keys
 * {@link #useTicketKeys} gives, which the listener's {@link TlsSlot} rotates: a ticket resumes
 * while its key lives, at most two rotation periods. With {@code sessionTickets: false} every
 * engine is told to issue none and the session cache is off, so every handshake is a full one.
 *
 * <p>The native library is unpacked into {@code java.io.tmpdir} and loaded from there; where tmp is
 * mounted {@code noexec} (systemd {@code PrivateTmp}, hardened hosts) the operator must set {@code
 * -Dio.netty.native.workdir} to a state directory. This class never sets it.
 *
 * <p><b>JDK</b> is SunJSSE. Client-initiated renegotiation (TLS 1.2) is refused by setting {@code
 * jdk.tls.rejectClientInitiatedRenegotiation=true} in this class's static initialiser: SunJSSE
 * reads it once, when its server handshake classes load, so it must be set before the first server
 * handshake in the process.
 *
 * <p>Both engines share one {@link SniKeyManager}, so certificate selection by SNI behaves the
 * same.
 */
public final class ServerTls {
  private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());

  static {
    System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
  }

  private final ListenerSslContext context;
  private final TlsEngine engine;
  private final String engineDescription;
  private final List<String> fingerprints;
  private final List<String> exposedKeys;
  private final List<Served> served;
  private final Duration ticketKeyRotation;
  private final OpenSslSessionContext ticketContext;
  private final boolean certificateChosenNatively;

  /**
   * One configured certificate as operators name it: its SNI names joined by commas ({@code
   * default} when it names none; the key algorithm is added when two on a listener would read the
   * same), and the earliest {@code notAfter} of its chain, since an expired intermediate breaks the
   * chain as surely as an expired leaf.
   */
  public record Served(String name, Instant notAfter) {}

  private ServerTls(
      ListenerSslContext context,
      TlsEngine engine,
      String description,
      List<String> fingerprints,
      List<String> exposedKeys,
      List<Served> served,
      Duration ticketKeyRotation,
      OpenSslSessionContext ticketContext,
      boolean certificateChosenNatively) {
    this.context = context;
    this.certificateChosenNatively = certificateChosenNatively;
    this.ticketKeyRotation = ticketKeyRotation;
    this.ticketContext = ticketContext;
    this.engine = engine;
    this.engineDescription = description;
    this.fingerprints = fingerprints;
    this.exposedKeys = exposedKeys;
    this.served = served;
  }

  /**
   * Builds the server SSLContext for one listener. Generates dev certificates first where
   * generateIfMissing says so.
   */
  public static ServerTls create(TlsConfig config) throws TlsSetupException {
    if (config.certificates().isEmpty()) {
      throw new TlsSetupException("tls.certificates: empty (expected at least one certificate)");
    }
    String[] protocols = TlsPolicy.protocols(config.protocols());

    List<SniKeyManager.Entry> entries = new ArrayList<>();
    List<List<String>> names = new ArrayList<>();
    List<String> fingerprints = new ArrayList<>();
    List<String> exposedKeys = new ArrayList<>();
    List<Served> served = new ArrayList<>();
    for (CertificateConfig cert : config.certificates()) {
      if (cert.generateIfMissing() && DevCertificate.ensure(cert.chain(), cert.privateKey())) {
        LOG.warning(
            "generated a self-signed development certificate at "
                + cert.chain()
                + " (key "
                + cert.privateKey()
                + "); clients will not trust it");
      }
      List<X509Certificate> chain = PemFiles.readChain(cert.chain());
      PrivateKey key = PemFiles.readPrivateKey(cert.privateKey());
      PemFiles.keyExposure(cert.privateKey())
          .ifPresent(
              why -> {
                LOG.warning(why);
                exposedKeys.add(why);
              });
      PemFiles.checkKeyMatches(key, chain.get(0), cert.privateKey(), cert.chain());
      entries.add(
          new SniKeyManager.Entry("cert-" + entries.size(), chain, key, key.getAlgorithm()));
      names.add(cert.serverNames());
      fingerprints.add(PemFiles.fingerprint(chain.get(0)));
      served.add(served(served, cert.serverNames(), key.getAlgorithm(), chain));
    }
    SniKeyManager keyManager = new SniKeyManager(entries, names);

    TlsEngine engine = config.engine();
    if (engine == TlsEngine.BORINGSSL && !OpenSsl.isAvailable()) {
      Throwable cause = OpenSsl.unavailabilityCause();
      String why = BoringSslLibrary.unavailable(BoringSslLibrary.platform(), cause);
      if (!config.fallbackToJdk()) {
        throw new TlsSetupException("tls.engine BORINGSSL: " + why, cause);
      }
      LOG.log(
          Level.WARNING,
          "!!! FALLING BACK TO THE JDK TLS ENGINE (4-5x more CPU per handshake): " + why,
          cause);
      engine = TlsEngine.JDK;
    }

    ListenerSslContext context;
    String description;
    OpenSslSessionContext ticketContext = null;
    boolean natively = false;
    if (engine == TlsEngine.BORINGSSL) {
      boolean sniDecides =
          config.certificates().size() > 1 && names.stream().anyMatch(n -> !n.isEmpty());
      boolean credentials = !sniDecides && OpenSslCredential.isAvailable();
      SslContext netty = boringSsl(keyManager, credentials ? entries : List.of(), protocols);
      natively = credentials && NativeContext.withoutCertificateCallback(netty);
      if (config.sessionTickets()) {
        ticketContext = (OpenSslSessionContext) netty.sessionContext();
        ticketContext.setSessionTimeout((int) config.ticketKeyRotation().toSeconds());
      } else {
        ((OpenSslSessionContext) netty.sessionContext()).setSessionCacheEnabled(false);
      }
      context = listenerContext(netty, protocols, config.sessionTickets());
      description =
          "BoringSSL (netty-tcnative "
              + BoringSslLibrary.version()
              + ", "
              + OpenSsl.versionString()
              + ")";
    } else {
      context = jdk(keyManager, protocols);
      description = "JDK " + jdkProviderName();
    }
    return new ServerTls(
        context,
        engine,
        description,
        List.copyOf(fingerprints),
        List.copyOf(exposedKeys),
        List.copyOf(served),
        config.ticketKeyRotation(),
        ticketContext,
        natively);
  }

  private static Served served(
      List<Served> earlier,
      List<String> serverNames,
      String keyAlgorithm,
      List<X509Certificate> chain) {
    String names = serverNames.isEmpty() ? "default" : String.join(",", serverNames);
    boolean taken = earlier.stream().anyMatch(s -> s.name().equals(names));
    String name = taken ? names + "/" + keyAlgorithm : names;
    Instant notAfter =
        chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    return new Served(name, notAfter);
  }

  /**
   * Netty's OpenSSL context. {@code fixed} are the certificates to hand BoringSSL once, as
   * credentials, when the choice among them does not depend on SNI; empty when it does.
   */
  private static SslContext boringSsl(
      SniKeyManager keyManager, List<SniKeyManager.Entry> fixed, String[] protocols)
      throws TlsSetupException {
    List<OpenSslCredential> credentials = new ArrayList<>();
    SslContext netty;
    try {
      for (SniKeyManager.Entry e : fixed) {
        credentials.add(
            OpenSslCredentialBuilder.forX509(e.key(), e.chain().toArray(new X509Certificate[0]))
                .build());
      }
      netty =
          SslContextBuilder.forServer(
                  new OpenSslCachingX509KeyManagerFactory(FixedKeyManagerFactory.of(keyManager)))
              .sslProvider(SslProvider.OPENSSL)
              .protocols(protocols)
              .ciphers(TlsPolicy.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
              .applicationProtocolConfig(ApplicationProtocolConfig.DISABLED)
              .option(OpenSslContextOption.USE_TASKS, false)
              .addCredentials(credentials)
              .build();
    } catch (SSLException | RuntimeException e) {
      throw new TlsSetupException(
          "tls.engine BORINGSSL: cannot build the server context: " + e.getMessage(), e);
    } finally {
      // The context holds its own references.
      credentials.forEach(ReferenceCounted::release);
    }
    return netty;
  }

  private static ListenerSslContext listenerContext(
      SslContext netty, String[] protocols, boolean sessionTickets) {
    SSLParameters parameters =
        new SSLParameters(TlsPolicy.CIPHER_SUITES.toArray(new String[0]), protocols);
    return ListenerSslContext.create(
        (host, port) -> {
          SSLEngine engine = netty.newEngine(ByteBufAllocator.DEFAULT, host, port);
          if (!sessionTickets) {
            // Netty clears this per engine whenever TLS 1.3 is enabled; set it back.
            SSL.setOptions(
                ((ReferenceCountedOpenSslEngine) engine).sslPointer(), SSL.SSL_OP_NO_TICKET);
          }
          return new GatheringSslEngine(engine, host, port);
        },
        parameters,
        netty.sessionContext(),
        null);
  }

  private static ListenerSslContext jdk(SniKeyManager keyManager, String[] protocols)
      throws TlsSetupException {
    SSLContext jdk;
    try {
      jdk = SSLContext.getInstance("TLS");
      jdk.init(new javax.net.ssl.KeyManager[] {keyManager}, null, null);
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException(
          "tls.engine JDK: cannot build the server context: " + e.getMessage(), e);
    }
    List<String> supported = List.of(jdk.getSupportedSSLParameters().getCipherSuites());
    String[] suites =
        TlsPolicy.CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
    SSLParameters parameters = new SSLParameters(suites, protocols);
    parameters.setUseCipherSuitesOrder(true);
    return ListenerSslContext.create(
        (host, port) -> {
          SSLEngine e = jdk.createSSLEngine(host, port);
          e.setUseClientMode(false);
          e.setSSLParameters(parameters);
          return e;
        },
        parameters,
        jdk.getServerSessionContext(),
        null);
  }

  /** Give to Undertow's {@code addHttpsListener}. */
  public SSLContext sslContext() {
    return context;
  }

  /** How long one ticket key encrypts new tickets (and how long a ticket lives). */
  Duration ticketKeyRotation() {
    return ticketKeyRotation;
  }

  /**
   * Session tickets from now on are encrypted with {@code keys[0]}; tickets under any of {@code
   * keys} resume. Ignored where this listener issues no tickets or the JDK engine serves it (JSSE
   * keeps and rotates its own keys).
   */
  void useTicketKeys(OpenSslSessionTicketKey[] keys) {
    if (ticketContext != null) {
      ticketContext.setTicketKeys(keys);
    }
  }

  /**
   * Whether BoringSSL serves this listener's certificates without calling back into Java during a
   * handshake (no SNI choice to make, and the callback could be removed).
   */
  boolean certificateChosenNatively() {
    return certificateChosenNatively;
  }

  /** The engine actually in use: JDK after a configured fallback. */
  public TlsEngine engine() {
    return engine;
  }

  /**
   * For example {@code BoringSSL (netty-tcnative 2.0.84.Final, BoringSSL)} or {@code JDK SunJSSE}.
   */
  public String engineDescription() {
    return engineDescription;
  }

  /** {@code SHA256:AB:CD:...} of each configured leaf certificate, in configuration order. */
  public List<String> fingerprints() {
    return fingerprints;
  }

  /** Each configured certificate's name and expiry, in configuration order. */
  public List<Served> served() {
    return served;
  }

  /**
   * Why each private key file of this listener that others can read is too open (see {@link
   * PemFiles#keyExposure}); empty when none is.
   */
  public List<String> exposedKeys() {
    return exposedKeys;
  }

  /**
   * How many SSLEngines this context has handed out, which proves which engine serves connections.
   */
  public long enginesCreated() {
    return context.enginesCreated();
  }

  private static String jdkProviderName() {
    try {
      return SSLContext.getInstance("TLS").getProvider().getName();
    } catch (GeneralSecurityException e) {
      return "TLS";
    }
  }
}
