package io.wssguard.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layout as rules the build checks: no package imports another that imports it back
 * (directly or round a longer circle), and the packages that hold pure logic stay free of the
 * network stack so they can be tested and fuzzed alone (docs/ARCHITECTURE.md).
 */
class PackageRulesTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.wssguard");
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.wssguard.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void pureLogicPackages_doNotTouchUndertowOrXnio() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.wssguard.config..",
            "io.wssguard.policy..",
            "io.wssguard.frame..",
            "io.wssguard.limit..",
            "io.wssguard.ban..",
            "io.wssguard.firewall..",
            "io.wssguard.fs..",
            "io.wssguard.net..",
            "io.wssguard.quantity..",
            "io.wssguard.time..",
            "io.wssguard.event..",
            "io.wssguard.console..",
            "io.wssguard.fleet..",
            "io.wssguard.traffic..",
            "io.wssguard.baseline..",
            "io.wssguard.anomaly..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.undertow..", "org.xnio..")
        .check(main);
  }
}
