package io.github.smtpscert;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package rules of docs/decisions.md: the API package on top, internals below it that never reach back, and a
 * pool that depends on nothing of ours. Each rule also runs against a deliberately broken layout (archfixture), so a
 * rule that could never fail would show here.
 */
class PackageRulesTest {

    private static final String ROOT = "io.github.smtpscert";
    private static final String BROKEN = "io.github.smtpscert.archfixture";

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);

    /** Every package is its own slice, the API package included. */
    static ArchRule noPackageCycles(String root) {
        return slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String pkg = javaClass.getPackageName();
                return pkg.equals(root) || pkg.startsWith(root + ".") ? SliceIdentifier.of(pkg) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "packages of " + root;
            }
        }).should().beFreeOfCycles();
    }

    static ArchRule poolDependsOnNothingOfOurs(String root) {
        return noClasses().that().resideInAPackage(root + ".internal.pool..")
                .should().dependOnClassesThat(resideInAPackage(root + "..").and(not(resideInAPackage(root + ".internal.pool.."))))
                .because("the pool is generic: it knows nothing of SMTP, TLS, option names or key formats");
    }

    /** Stronger than "not the endpoint or producer": internals use nothing of the API package. */
    static ArchRule internalsNeverUseTheApiPackage(String root) {
        return noClasses().that().resideInAPackage(root + ".internal..")
                .should().dependOnClassesThat().resideInAPackage(root)
                .because("the API package translates what the internals report; the other way would be a cycle");
    }

    @Test
    void noCyclesBetweenPackages() {
        noPackageCycles(ROOT).check(PRODUCTION);
    }

    @Test
    void poolIsGeneric() {
        poolDependsOnNothingOfOurs(ROOT).check(PRODUCTION);
    }

    @Test
    void internalsDoNotDependOnTheApi() {
        internalsNeverUseTheApiPackage(ROOT).check(PRODUCTION);
    }

    @Test
    void rulesCatchABrokenLayout() {
        JavaClasses broken = new ClassFileImporter().importPackages(BROKEN);
        assertTrue(noPackageCycles(BROKEN).evaluate(broken).hasViolation(), "cycle Api <-> internal.tls.Key");
        assertTrue(poolDependsOnNothingOfOurs(BROKEN).evaluate(broken).hasViolation(), "Pool -> internal.tls.Key");
        assertTrue(internalsNeverUseTheApiPackage(BROKEN).evaluate(broken).hasViolation(), "Key -> Api");
    }
}
