package io.github.smtpscert.internal.tls;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import io.github.smtpscert.internal.ConfigurationProblem;

/**
 * Protocol versions and cipher suites (null: the JVM's): the TLS policy, kept apart from key material. Cipher suites
 * this JVM does not support are left out, so that a list written for another JVM does not break every handshake
 * (JSSE refuses to enable a suite it does not know, and never negotiates one its security properties disable).
 *
 * @param unsupportedCipherSuites the configured suites that were left out, for a warning
 */
public record TlsPolicy(String[] protocols, String[] cipherSuites, List<String> unsupportedCipherSuites) {

    /** From comma-separated lists as the options take them. */
    public static TlsPolicy of(String protocols, String cipherSuites) {
        String[] suites = split(cipherSuites);
        if (suites == null) {
            return new TlsPolicy(split(protocols), null, List.of());
        }
        Set<String> supported = Set.of(supportedCipherSuites());
        List<String> usable = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        for (String suite : suites) {
            (supported.contains(suite) ? usable : unsupported).add(suite);
        }
        if (usable.isEmpty()) {
            throw ConfigurationProblem.of("cipherSuites", cipherSuites, "this JVM supports none of these cipher suites",
                    "Fix: list suites this JVM supports, such as TLS_AES_256_GCM_SHA384 and "
                    + "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (or leave cipherSuites unset for the default)");
        }
        return new TlsPolicy(split(protocols), usable.toArray(String[]::new), List.copyOf(unsupported));
    }

    /** What the JVM's default TLS provider supports and allows (jdk.tls.disabledAlgorithms applied). */
    private static String[] supportedCipherSuites() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            // no key or trust material needed to list suites, and none loaded
            context.init(new KeyManager[0], new TrustManager[0], null);
            return context.getSupportedSSLParameters().getCipherSuites();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS provider", e);
        }
    }

    private static String[] split(String list) {
        if (list == null || list.isBlank()) {
            return null;
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }
}
