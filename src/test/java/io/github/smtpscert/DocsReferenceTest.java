package io.github.smtpscert;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/reference.md is written by hand; this keeps it true to the generated component metadata: every option and
 * header has a row, every row names a real option or header, and documented defaults match.
 */
class DocsReferenceTest {

    private static final String METADATA = "META-INF/io/github/smtpscert/smtps-cert.json";
    private static final Path REFERENCE = Path.of("docs", "reference.md");
    /** A table row: | `name` | second cell | ... */
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([A-Za-z0-9]+)` \\|([^|]*)\\|");
    private static final String JMX_HEADING = "\n## JMX\n";
    /** A JMX table row: | `Attribute` | or | `operation()` | */
    private static final Pattern JMX_ROW = Pattern.compile("(?m)^\\| `([A-Za-z0-9]+(?:\\(\\))?)` \\|");

    private static JsonObject metadata;
    private static Map<String, String> rows;
    private static TreeSet<String> jmxRows;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = DocsReferenceTest.class.getClassLoader().getResourceAsStream(METADATA)) {
            assertNotNull(in, METADATA + " is not on the test classpath; run mvn process-classes");
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                metadata = (JsonObject) Jsoner.deserialize(reader);
            }
        }
        assertTrue(Files.isRegularFile(REFERENCE), REFERENCE.toAbsolutePath() + " is missing");
        String text = Files.readString(REFERENCE);
        int jmxStart = text.indexOf(JMX_HEADING);
        assertTrue(jmxStart > 0, REFERENCE + " has no '" + JMX_HEADING.trim() + "' section");
        rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(text.substring(0, jmxStart));
        while (m.find()) {
            rows.putIfAbsent(m.group(1), m.group(2).trim());
        }
        jmxRows = new TreeSet<>();
        Matcher j = JMX_ROW.matcher(text.substring(jmxStart));
        while (j.find()) {
            jmxRows.add(j.group(1));
        }
    }

    @Test
    void jmxSectionListsExactlyTheEndpointsAttributesAndOperations() {
        TreeSet<String> managed = new TreeSet<>();
        for (Method method : SmtpsCertEndpoint.class.getDeclaredMethods()) {
            if (method.isAnnotationPresent(ManagedAttribute.class)) {
                managed.add(method.getName().replaceFirst("^(get|is)", ""));
            } else if (method.isAnnotationPresent(ManagedOperation.class)) {
                managed.add(method.getName() + "()");
            }
        }
        assertTrue(managed.size() >= 6, "found " + managed);
        assertEquals(managed, jmxRows, REFERENCE + " JMX tables vs the endpoint's @ManagedAttribute/@ManagedOperation");
    }

    @Test
    void everyOptionAndHeaderHasARow() {
        List<String> missing = new ArrayList<>();
        for (String section : List.of("properties", "componentProperties", "headers")) {
            for (String name : section(section).keySet()) {
                if (!rows.containsKey(name)) {
                    missing.add(section + "." + name);
                }
            }
        }
        assertTrue(missing.isEmpty(), "missing from " + REFERENCE + " (add a row '| `name` | ...'): " + missing);
    }

    @Test
    void everyRowIsARealOptionOrHeader() {
        TreeSet<String> known = new TreeSet<>();
        for (String section : List.of("properties", "componentProperties", "headers")) {
            known.addAll(section(section).keySet());
        }
        List<String> unknown = rows.keySet().stream().filter(name -> !known.contains(name)).toList();
        assertTrue(unknown.isEmpty(), REFERENCE + " documents options or headers the component does not have: " + unknown);
    }

    @Test
    void documentedDefaultsMatchTheMetadata() {
        TreeSet<String> wrong = new TreeSet<>(); // options in both sections are reported once
        for (String section : List.of("properties", "componentProperties")) {
            section(section).forEach((name, value) -> {
                Object defaultValue = ((JsonObject) value).get("defaultValue");
                String cell = rows.get(name);
                if (defaultValue != null && cell != null && !cell.contains("`" + defaultValue + "`")) {
                    wrong.add(name + ": metadata default `" + defaultValue + "`, documented '" + cell + "'");
                }
            });
        }
        assertTrue(wrong.isEmpty(), "defaults in " + REFERENCE + " differ from the metadata: " + wrong);
    }

    private static JsonObject section(String name) {
        JsonObject section = (JsonObject) metadata.get(name);
        assertNotNull(section, METADATA + " has no '" + name + "' section");
        return section;
    }
}
