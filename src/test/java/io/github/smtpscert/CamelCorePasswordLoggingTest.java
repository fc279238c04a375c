package io.github.smtpscert;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedCamelContextMBean;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the section "Passwords in Camel's logs and route dumps" of docs/reference.md true: Camel core (not this
 * component) prints endpoint passwords at TRACE and DEBUG, and every logger that does is named there; what the
 * section says about Camel Main's masking and JMX route dumps holds too.
 */
class CamelCorePasswordLoggingTest {

    private static final String SECTION = "\n## Passwords in Camel's logs and route dumps\n";
    private static final Pattern LOGGER = Pattern.compile("`(org\\.apache\\.camel\\.[A-Za-z0-9.]+)`");
    private static final String LITERAL_PW = "LiteralPw-4721";
    private static final String RAW_PW = "RawPw-4722";
    private static final String PLACEHOLDER_PW = "PlaceholderPw-4723";
    private static final String TEMPLATE_PW = "TemplatePw-4724";
    private static final List<String> PASSWORDS = List.of(LITERAL_PW, RAW_PW, PLACEHOLDER_PW, TEMPLATE_PW);

    @RegisterExtension
    static final MtlsFixture f = MtlsFixture.perClass();

    @Test
    void everyCamelLoggerThatPrintsAPasswordIsNamedInTheReference() throws Exception {
        List<String[]> lines = new CopyOnWriteArrayList<>(); // logger name, message
        Path literal = store(LITERAL_PW);
        Path raw = store(RAW_PW);
        Path placeholder = store(PLACEHOLDER_PW);
        Path template = store(TEMPLATE_PW);
        String base = f.uri("");
        try (Capture capture = new Capture(lines, "org.apache.camel", "io.github.smtpscert")) {
            try (CamelContext ctx = new DefaultCamelContext()) {
                Properties properties = new Properties();
                properties.put("relay.password", PLACEHOLDER_PW);
                ctx.getPropertiesComponent().setInitialProperties(properties);
                ctx.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:literal").to(base + "&keyStore=" + literal + "&keyStorePassword=" + LITERAL_PW);
                        from("direct:raw").to(base + "&keyStore=" + raw + "&keyStorePassword=RAW(" + RAW_PW + ")");
                        from("direct:placeholder").to(base + "&keyStore=" + placeholder
                                                       + "&keyStorePassword=RAW({{relay.password}})");
                    }
                });
                ctx.start();
                for (String route : List.of("direct:literal", "direct:raw", "direct:placeholder")) {
                    assertNull(MtlsFixture.send(ctx, route, "body").getException(), route);
                }
                Exchange ex = MtlsFixture.send(ctx, base + "&keyStore=" + template + "&keyStorePassword=RAW("
                                                    + TEMPLATE_PW + ")", "body");
                assertNull(ex.getException());
            }
        }

        assertTrue(lines.stream().anyMatch(l -> l[0].startsWith("org.apache.camel") && l[1].contains("smtps-cert:")),
                "the capture saw no Camel line about the endpoint");
        Set<String> printing = new TreeSet<>();
        for (String[] line : lines) {
            if (PASSWORDS.stream().anyMatch(line[1]::contains)) {
                assertFalse(line[0].startsWith("io.github.smtpscert"), () -> "this component logged a password: " + line[1]);
                printing.add(line[0]);
            }
        }
        Set<String> documented = documentedLoggers();
        Set<String> missing = new TreeSet<>(printing);
        missing.removeAll(documented);
        assertEquals(Set.of(), missing, "loggers that print passwords but are not named in docs/reference.md");
    }

    @Test
    void routeDumpsShowLiteralPasswordsAndResolvedPlaceholders() throws Exception {
        Path raw = store(RAW_PW);
        Path placeholder = store(PLACEHOLDER_PW);
        String base = f.uri("");
        try (CamelContext ctx = new DefaultCamelContext()) {
            Properties properties = new Properties();
            properties.put("relay.password", PLACEHOLDER_PW);
            ctx.getPropertiesComponent().setInitialProperties(properties);
            ctx.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:raw").to(base + "&keyStore=" + raw + "&keyStorePassword=RAW(" + RAW_PW + ")");
                    from("direct:placeholder").to(base + "&keyStore=" + placeholder
                                                   + "&keyStorePassword=RAW({{relay.password}})");
                }
            });
            ctx.start();
            ManagedCamelContextMBean jmx = ctx.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                    .getManagedCamelContext();

            String dump = jmx.dumpRoutesAsXml();
            assertTrue(dump.contains("keyStorePassword=RAW(" + RAW_PW + ")"), dump);
            assertTrue(dump.contains("keyStorePassword=RAW({{relay.password}})") && !dump.contains(PLACEHOLDER_PW), dump);
            String resolved = jmx.dumpRoutesAsXml(true);
            assertTrue(resolved.contains("keyStorePassword=RAW(" + PLACEHOLDER_PW + ")"), resolved);
        }
    }

    @Test
    void camelMainMasksPlaceholdersNamedLikePasswordsInItsSummary() throws Exception {
        List<String[]> lines = new CopyOnWriteArrayList<>();
        try (Capture capture = new Capture(lines, "org.apache.camel.main")) {
            Main main = new Main();
            main.addInitialProperty("relay.password", PLACEHOLDER_PW);
            main.addInitialProperty("smtp.secret", RAW_PW);
            main.addInitialProperty("relay.kspw", LITERAL_PW);
            // the summary lists the placeholders a route used; this route is never called
            main.configure().addRoutesBuilder(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:unused").setHeader("a", constant("{{relay.password}}{{smtp.secret}}{{relay.kspw}}"));
                }
            });
            main.start();
            main.stop();
        }
        List<String> summary = lines.stream().filter(l -> l[0].equals("org.apache.camel.main.BaseMainSupport"))
                .map(l -> l[1]).toList();
        assertTrue(summary.stream().anyMatch(l -> l.contains("Property-placeholders summary")), summary::toString);
        assertTrue(summary.stream().anyMatch(l -> l.contains("relay.password = xxxxxx")), summary::toString);
        assertTrue(summary.stream().anyMatch(l -> l.contains("smtp.secret = xxxxxx")), summary::toString);
        assertTrue(summary.stream().anyMatch(l -> l.contains("relay.kspw = " + LITERAL_PW)), summary::toString);
        assertFalse(summary.stream().anyMatch(l -> l.contains(PLACEHOLDER_PW) || l.contains(RAW_PW)), summary::toString);
    }

    /** alice's key store under this password; the file is named by the password's index, not the password. */
    private static Path store(String password) {
        String name = "store-" + PASSWORDS.indexOf(password) + ".p12";
        Path file = f.dir.resolve(name);
        return Files.exists(file) ? file : f.alice.writePkcs12(f.dir, name, password.toCharArray(), password.toCharArray());
    }

    private static Set<String> documentedLoggers() throws Exception {
        String reference = Files.readString(Path.of("docs", "reference.md"));
        int start = reference.indexOf(SECTION);
        assertTrue(start > 0, "docs/reference.md has no section" + SECTION);
        int end = reference.indexOf("\n## ", start + SECTION.length());
        Matcher m = LOGGER.matcher(reference.substring(start, end < 0 ? reference.length() : end));
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * Sends everything the named loggers log, down to TRACE, to a list and not to the console; closing puts the
     * logging configuration back as it was (log4j2-test.xml: later test classes must not inherit TRACE).
     */
    private static final class Capture extends AbstractAppender implements AutoCloseable {
        private final List<String[]> lines;
        private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
        private final List<LoggerConfig> changed = new ArrayList<>();
        private final List<Level> levels = new ArrayList<>();
        private final List<Boolean> additive = new ArrayList<>();
        private final List<String> added = new ArrayList<>();

        Capture(List<String[]> lines, String... loggers) {
            super("camel-core-capture", null, null, true, Property.EMPTY_ARRAY);
            this.lines = lines;
            start();
            Configuration config = context.getConfiguration();
            for (String name : loggers) {
                LoggerConfig logger = config.getLoggerConfig(name);
                if (logger.getName().equals(name)) {
                    changed.add(logger);
                    levels.add(logger.getLevel());
                    additive.add(logger.isAdditive());
                } else {
                    logger = new LoggerConfig(name, Level.TRACE, false);
                    config.addLogger(name, logger);
                    added.add(name);
                }
                logger.setLevel(Level.TRACE);
                logger.setAdditive(false);
                logger.addAppender(this, Level.TRACE, null);
            }
            context.updateLoggers();
        }

        @Override
        public void append(LogEvent event) {
            lines.add(new String[] {event.getLoggerName(), event.getMessage().getFormattedMessage()});
        }

        @Override
        public void close() {
            Configuration config = context.getConfiguration();
            try {
                for (int i = 0; i < changed.size(); i++) {
                    changed.get(i).removeAppender(getName());
                    changed.get(i).setLevel(levels.get(i));
                    changed.get(i).setAdditive(additive.get(i));
                }
                for (String name : added) {
                    config.getLoggerConfig(name).removeAppender(getName());
                    config.removeLogger(name);
                }
            } finally {
                context.updateLoggers();
                stop();
            }
        }
    }
}
