package io.github.smtpscert.springboot;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.util.TimeUtils;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The starter's META-INF/spring-configuration-metadata.json (what an IDE completes and documents) against the
 * component's own metadata, META-INF/io/github/smtpscert/smtps-cert.json in the camel-smtps-cert jar: every component
 * option must be there, with its description, the type it binds as and its default.
 */
class ConfigurationMetadataTest {

    static final String PREFIX = "camel.component.smtps-cert.";

    static JsonObject componentOptions;
    static Map<String, JsonObject> properties;
    static Map<String, JsonObject> hints;

    @BeforeAll
    static void read() throws Exception {
        componentOptions = json(only("META-INF/io/github/smtpscert/smtps-cert.json", "\"scheme\": \"smtps-cert\""))
                .getJsonObject("componentProperties");
        JsonObject metadata = json(only("META-INF/spring-configuration-metadata.json", "\"" + PREFIX));
        properties = byName(metadata.getCollection("properties"));
        hints = byName(metadata.getCollection("hints"));
    }

    @Test
    void everyComponentOptionIsAPropertyWithItsDescriptionTypeAndDefault() {
        List<String> problems = new ArrayList<>();
        assertTrue(componentOptions.size() > 40, "smtps-cert.json lists the component's options");
        componentOptions.forEach((name, value) -> {
            JsonObject option = (JsonObject) value;
            String property = PREFIX + kebab(name);
            JsonObject p = properties.get(property);
            if (p == null) {
                problems.add(property + ": missing");
                return;
            }
            String description = p.getString("description");
            String expected = normalized(option.getString("description"));
            if (description == null || !normalized(description).startsWith(expected)) {
                problems.add(property + ": description '" + description + "', expected '" + expected + "'");
            }
            if (!bindingType(option).equals(p.getString("type"))) {
                problems.add(property + ": type " + p.getString("type") + ", expected " + bindingType(option));
            }
            String defaultProblem = defaultProblem(option, p.get("defaultValue"));
            if (defaultProblem != null) {
                problems.add(property + ": " + defaultProblem);
            }
            if (p.get("deprecation") != null != Boolean.TRUE.equals(option.getBoolean("deprecated"))) {
                problems.add(property + ": deprecation differs");
            }
        });
        assertTrue(problems.isEmpty(), () -> "spring-configuration-metadata.json vs smtps-cert.json:\n  "
                                             + String.join("\n  ", problems));
    }

    @Test
    void thePropertiesAreTheOptionsAndCamelsStarterSwitchesNothingElse() {
        Set<String> expected = new TreeSet<>();
        componentOptions.keySet().forEach(name -> expected.add(PREFIX + kebab(name)));
        expected.add(PREFIX + "enabled");
        expected.add(PREFIX + "customizer.enabled");
        assertEquals(expected, new TreeSet<>(properties.keySet()));
        assertNotNull(properties.get(PREFIX + "enabled").getString("description"));
    }

    @Test
    void enumOptionsTypedStringListTheirValuesAsHints() {
        componentOptions.forEach((name, value) -> {
            JsonObject option = (JsonObject) value;
            JsonArray values = option.getCollection("enum");
            if (values == null || !bindingType(option).equals("java.lang.String")) {
                return;
            }
            JsonObject hint = hints.get(PREFIX + kebab(name));
            assertNotNull(hint, () -> "no hint for " + name);
            List<String> hinted = new ArrayList<>();
            for (Object v : (List<?>) hint.getCollection("values")) {
                hinted.add(((JsonObject) v).getString("value"));
            }
            assertEquals(values, hinted, name);
        });
    }

    @Test
    void defaultsAreCheckedForReal() {
        // the comparisons above must tell a wrong default from a right one
        JsonObject duration = option("duration", "long", "60s");
        assertEquals(null, defaultProblem(duration, "60000ms"));
        assertEquals(null, defaultProblem(duration, "1m"));
        assertNotNull(defaultProblem(duration, "6s"));
        assertNotNull(defaultProblem(duration, null));
        assertNotNull(defaultProblem(option("integer", "int", "4"), 5));
        assertNotNull(defaultProblem(option("boolean", "boolean", "true"), false));
        assertNotNull(defaultProblem(option("string", "java.lang.String", "PKCS12"), "JKS"));
        assertNotNull(defaultProblem(option("string", "java.lang.String", null), "x"));
    }

    /** The type a property binds as: Camel's mapping, except durations, and bean references for Object options. */
    static String bindingType(JsonObject option) {
        String javaType = option.getString("javaType");
        return switch (option.getString("type")) {
            case "duration" -> Duration.class.getName();
            case "object" -> javaType.equals("java.lang.Object") ? "java.lang.String" : javaType;
            default -> switch (javaType) {
                case "int" -> "java.lang.Integer";
                case "long" -> "java.lang.Long";
                case "boolean" -> "java.lang.Boolean";
                default -> javaType;
            };
        };
    }

    /** Null when the metadata's default is the component's, else what is wrong. */
    static String defaultProblem(JsonObject option, Object actual) {
        Object expected = option.get("defaultValue");
        if (expected == null || actual == null) {
            return expected == actual ? null : "default " + actual + ", expected " + expected;
        }
        boolean same = switch (option.getString("type")) {
            case "duration" -> TimeUtils.toMilliSeconds(expected.toString())
                               == DurationStyle.detectAndParse(actual.toString()).toMillis();
            case "boolean" -> Boolean.parseBoolean(expected.toString()) == (Boolean) actual;
            case "integer", "number" -> new java.math.BigDecimal(expected.toString())
                                                .compareTo(new java.math.BigDecimal(actual.toString())) == 0;
            default -> expected.toString().equals(actual.toString());
        };
        return same ? null : "default " + actual + ", expected " + expected;
    }

    static JsonObject option(String type, String javaType, String defaultValue) {
        JsonObject o = new JsonObject();
        o.put("type", type);
        o.put("javaType", javaType);
        if (defaultValue != null) {
            o.put("defaultValue", defaultValue);
        }
        return o;
    }

    static String kebab(String camelCase) {
        return camelCase.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    static String normalized(String text) {
        return String.join(" ", text.trim().split("\\s+"));
    }

    static Map<String, JsonObject> byName(List<?> entries) {
        Map<String, JsonObject> out = new HashMap<>();
        if (entries != null) {
            entries.forEach(e -> {
                JsonObject o = (JsonObject) e;
                if (o.getString("name").startsWith(PREFIX)) {
                    out.put(o.getString("name"), o);
                }
            });
        }
        return out;
    }

    /** The one resource of this name on the class path whose text contains the marker (other jars have their own). */
    static String only(String resource, String marker) throws IOException {
        List<String> found = new ArrayList<>();
        for (URL url : Collections.list(ConfigurationMetadataTest.class.getClassLoader().getResources(resource))) {
            try (InputStream in = url.openStream()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (text.replace(" ", "").contains(marker.replace(" ", ""))) {
                    found.add(text);
                }
            }
        }
        assertEquals(1, found.size(), () -> "resources " + resource + " containing " + marker);
        assertFalse(found.get(0).isBlank());
        return found.get(0);
    }

    static JsonObject json(String text) throws Exception {
        try (Reader reader = new java.io.StringReader(text)) {
            return (JsonObject) Jsoner.deserialize(reader);
        }
    }
}
