package io.wssguard.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class BoringSslLibraryTest {
  @Test
  void unavailable_namesTheArchitectureAndBothWaysOut_onAnUnbundledPlatform() {
    assertEquals(
        "BoringSSL is not available for linux-riscv64 (bundled: linux-x86_64, linux-aarch_64);"
            + " set tls.engine: jdk or fallbackToJdk: true",
        BoringSslLibrary.unavailable(
            "linux-riscv64", new UnsatisfiedLinkError("no netty_tcnative_linux_riscv64")));
  }

  @Test
  void unavailable_namesTheCauseAndTheWorkdir_onABundledPlatformThatCannotLoad() {
    assertEquals(
        "BoringSSL for linux-aarch_64 cannot be loaded: java.io.IOException: noexec (on a noexec tmp"
            + " set -Dio.netty.native.workdir to an executable state directory, or set tls.engine:"
            + " jdk or fallbackToJdk: true)",
        BoringSslLibrary.unavailable("linux-aarch_64", new IOException("noexec")));
  }

  @Test
  void everyBundledPlatform_hasItsNativeLibraryOnTheClassPath() {
    for (String platform : BoringSslLibrary.BUNDLED) {
      assertNotNull(
          BoringSslLibrary.class.getClassLoader().getResource(BoringSslLibrary.resource(platform)),
          BoringSslLibrary.resource(platform));
    }
  }

  @Test
  void platform_isABundledOne_onTheLinuxServersThePackagesSupport() {
    String arch = System.getProperty("os.arch");
    assumeTrue(
        System.getProperty("os.name").equals("Linux")
            && (arch.equals("amd64") || arch.equals("aarch64")));
    assertEquals(
        arch.equals("amd64") ? "linux-x86_64" : "linux-aarch_64", BoringSslLibrary.platform());
  }

  @Test
  void version_isTheBundledTcnativeVersion() {
    assertTrue(
        BoringSslLibrary.version().matches("2\\.0\\.\\d+\\.Final"), BoringSslLibrary.version());
  }
}
