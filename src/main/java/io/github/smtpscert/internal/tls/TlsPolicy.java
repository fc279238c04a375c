package io.github.smtpscert.internal.tls;

import java.util.Arrays;

/** Protocol versions and cipher suites (null: the JVM's): the TLS policy, kept apart from key material. */
public record TlsPolicy(String[] protocols, String[] cipherSuites) {

    /** From comma-separated lists as the options take them. */
    public static TlsPolicy of(String protocols, String cipherSuites) {
        return new TlsPolicy(split(protocols), split(cipherSuites));
    }

    private static String[] split(String list) {
        if (list == null || list.isBlank()) {
            return null;
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }
}
