package io.github.smtpscert.internal.tls;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The options that each name a whole client identity. Exactly one may be configured; this is the only list of them. */
public enum IdentitySource {
    KEY_STORE("keyStore", o -> o.keyStore() != null, "keyStore"),
    PEM_FILES("certificateFile + privateKeyFile", o -> o.certificateFile() != null || o.privateKeyFile() != null,
              "certificateFile", "privateKeyFile"),
    BEAN("clientCertificates", o -> o.clientCertificates() != null, "clientCertificates"),
    SSL_CONTEXT_PARAMETERS("sslContextParameters",
                           o -> o.sslContextParameters() != null && o.sslContextParameters().getKeyManagers() != null,
                           "sslContextParameters"),
    PROVIDED("sslBundle (Spring Boot) or tlsConfigurationName (Quarkus)", o -> o.provided() != null, "sslBundle",
             "tlsConfigurationName");

    private final String label;
    private final Predicate<IdentityResolver.Options> configured;
    private final List<String> options;

    IdentitySource(String label, Predicate<IdentityResolver.Options> configured, String... options) {
        this.label = label;
        this.configured = configured;
        this.options = List.of(options);
    }

    /** Whether an endpoint option (as written in a URI) names a whole identity. */
    public static boolean isIdentityOption(String option) {
        return Arrays.stream(values()).anyMatch(s -> s.options.contains(option));
    }

    /** "keyStore, certificateFile + privateKeyFile, clientCertificates, sslContextParameters", for messages. */
    public static String describeAll() {
        return Arrays.stream(values()).map(s -> s.label).collect(Collectors.joining(", "));
    }

    static List<IdentitySource> configuredIn(IdentityResolver.Options options) {
        return Arrays.stream(values()).filter(s -> s.configured.test(options)).toList();
    }

    @Override
    public String toString() {
        return label;
    }
}
