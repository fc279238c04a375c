package io.github.smtpscert.internal.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents exactly one identity whenever the server asks for a certificate of its key type. The server's list of
 * acceptable issuers is deliberately ignored, as .NET's SmtpClient does: the user chose the certificate, and a relay
 * that sends an incomplete CA list must not silently turn the session anonymous.
 */
final class FixedIdentityKeyManager extends X509ExtendedKeyManager {

    private static final String ALIAS = "client";
    private final Identity identity;
    private final String keyAlgorithm;

    FixedIdentityKeyManager(Identity identity) {
        this.identity = identity;
        this.keyAlgorithm = identity.privateKey().getAlgorithm().toUpperCase(Locale.ROOT);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    private String choose(String[] keyTypes) {
        if (keyTypes == null) {
            return ALIAS;
        }
        for (String keyType : keyTypes) {
            String type = keyType.toUpperCase(Locale.ROOT);
            if (type.equals(keyAlgorithm) || type.startsWith(keyAlgorithm + "_")
                || (keyAlgorithm.equals("RSA") && type.equals("RSASSA-PSS"))) {
                return ALIAS;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return choose(new String[] { keyType }) == null ? null : new String[] { ALIAS };
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? identity.chain() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? identity.privateKey() : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
