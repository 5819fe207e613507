package io.wssguard.tls;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;

/**
 * The BoringSSL native library the jar carries (netty-tcnative-boringssl-static): for which
 * platforms, which version, and what to tell an operator whose machine is not one of them.
 *
 * <p>The jar holds exactly the two server platforms the packages support; pom.xml adds one
 * classifier per entry of {@link #BUNDLED} and a test checks each library is really on the class
 * path, so the list and the jar cannot drift apart. On any other machine the proxy still runs with
 * the JDK engine, which is why the packages stay architecture-independent (packaging/README.md).
 */
public final class BoringSslLibrary {
  /** Netty's platform names ({@code os-arch}) of the native libraries in the jar. */
  public static final List<String> BUNDLED = List.of("linux-x86_64", "linux-aarch_64");

  private BoringSslLibrary() {}

  /** This machine in Netty's naming, e.g. {@code linux-x86_64} or {@code linux-riscv64}. */
  public static String platform() {
    return PlatformDependent.normalizedOs() + "-" + PlatformDependent.normalizedArch();
  }

  /** Where the native library for {@code platform} lies in the jar. */
  static String resource(String platform) {
    return "META-INF/native/libnetty_tcnative_" + platform.replace('-', '_') + ".so";
  }

  /**
   * Why BoringSSL cannot serve {@code engine: boringssl} on {@code platform}, with the two ways
   * out. {@code cause} is what Netty reported; it is only worth naming when the platform is one the
   * jar carries (then the library exists but would not load, typically a noexec tmp).
   */
  static String unavailable(String platform, Throwable cause) {
    if (!BUNDLED.contains(platform)) {
      return "BoringSSL is not available for "
          + platform
          + " (bundled: "
          + String.join(", ", BUNDLED)
          + "); set tls.engine: jdk or fallbackToJdk: true";
    }
    return "BoringSSL for "
        + platform
        + " cannot be loaded: "
        + cause
        + " (on a noexec tmp set -Dio.netty.native.workdir to an executable state directory,"
        + " or set tls.engine: jdk or fallbackToJdk: true)";
  }

  /**
   * The version Maven recorded for the tcnative jar (tcnative lists none in Netty's own version
   * file), or {@code unknown}.
   */
  public static String version() {
    for (String artifact : List.of("netty-tcnative-boringssl-static", "netty-tcnative-classes")) {
      String resource = "/META-INF/maven/io.netty/" + artifact + "/pom.properties";
      try (InputStream in = BoringSslLibrary.class.getResourceAsStream(resource)) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          String v = p.getProperty("version");
          if (v != null) {
            return v;
          }
        }
      } catch (IOException e) {
        // fall through: the version is only for the banner and build_info
      }
    }
    return "unknown";
  }
}
