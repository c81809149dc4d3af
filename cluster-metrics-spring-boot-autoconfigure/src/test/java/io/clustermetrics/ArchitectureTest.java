package io.clustermetrics;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layout as rules: the core ({@code io.clustermetrics}) and the wire format ({@code io.clustermetrics.wire})
 * import nothing of Spring, so that they read without knowing it; auto-configuration classes only wire, and the
 * core knows none of the packages around it.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.clustermetrics");

    @Test
    void theCoreAndTheWireFormatHaveNoSpringImport() {
        noClasses().that().resideInAnyPackage("io.clustermetrics", "io.clustermetrics.wire")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "reactor..", "jakarta..")
                .check(MAIN);
    }

    @Test
    void theCoreKnowsNoneOfThePackagesAroundIt() {
        noClasses().that().resideInAPackage("io.clustermetrics")
                .should().dependOnClassesThat().resideInAnyPackage("io.clustermetrics.(*)..")
                .check(MAIN);
    }

    @Test
    void autoConfigurationsLiveInTheWiringPackage() {
        classes().that().areAnnotatedWith("org.springframework.boot.autoconfigure.AutoConfiguration")
                .should().resideInAPackage("io.clustermetrics.autoconfigure")
                .check(MAIN);
        noClasses().that().resideOutsideOfPackage("io.clustermetrics.autoconfigure")
                .should().beAnnotatedWith("org.springframework.context.annotation.Configuration")
                .check(MAIN);
    }
}
