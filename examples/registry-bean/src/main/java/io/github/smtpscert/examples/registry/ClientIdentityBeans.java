package io.github.smtpscert.examples.registry;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

/**
 * Client identities as registry beans, for endpoints that say clientCertificates=#name. Here they are read from files;
 * the same works for a KeyStore from a PKCS#11 token, a vault or anything else that yields one.
 */
public class ClientIdentityBeans implements CamelConfiguration {

    @PropertyInject("client.key-store")
    String keyStoreFile;
    @PropertyInject("client.key-store-password")
    String keyStorePassword;
    @PropertyInject("tls.key-store")
    String tlsKeyStoreFile;
    @PropertyInject("tls.key-store-password")
    String tlsKeyStorePassword;
    @PropertyInject("tls.trust-store")
    String tlsTrustStoreFile;
    @PropertyInject("tls.trust-store-password")
    String tlsTrustStorePassword;

    /** A loaded key store; the endpoint picks its private key entry (keyAlias chooses when there are several). */
    @BindToRegistry("clientKeyStore")
    public KeyStore clientKeyStore() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(keyStoreFile))) {
            store.load(in, keyStorePassword.toCharArray());
        }
        return store;
    }

    /** Camel's TLS settings object: key managers for the identity and, used when the endpoint sets no trust, trust managers. */
    @BindToRegistry("clientTls")
    public SSLContextParameters clientTls() {
        KeyStoreParameters keys = new KeyStoreParameters();
        keys.setResource("file:" + tlsKeyStoreFile);
        keys.setPassword(tlsKeyStorePassword);
        KeyManagersParameters keyManagers = new KeyManagersParameters();
        keyManagers.setKeyStore(keys);
        keyManagers.setKeyPassword(tlsKeyStorePassword);

        KeyStoreParameters trusted = new KeyStoreParameters();
        trusted.setResource("file:" + tlsTrustStoreFile);
        trusted.setPassword(tlsTrustStorePassword);
        TrustManagersParameters trustManagers = new TrustManagersParameters();
        trustManagers.setKeyStore(trusted);

        SSLContextParameters tls = new SSLContextParameters();
        tls.setKeyManagers(keyManagers);
        tls.setTrustManagers(trustManagers);
        return tls;
    }
}
