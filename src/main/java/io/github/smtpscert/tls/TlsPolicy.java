package io.github.smtpscert.tls;

import java.util.Arrays;

/** Protocol versions, cipher suites and host name checking: the TLS policy, kept apart from key material. */
public record TlsPolicy(String[] protocols, String[] cipherSuites, boolean verifyHostname) {

    public static TlsPolicy of(String protocols, String cipherSuites, boolean verifyHostname) {
        return new TlsPolicy(split(protocols), split(cipherSuites), verifyHostname);
    }

    private static String[] split(String list) {
        if (list == null || list.isBlank()) {
            return null;
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }
}
