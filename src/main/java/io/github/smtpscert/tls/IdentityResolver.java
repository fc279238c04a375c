package io.github.smtpscert.tls;

import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;

import io.github.smtpscert.SmtpsCertConfiguration;
import io.github.smtpscert.SmtpsCertConfigurationException;
import org.apache.camel.CamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * Finds the client identity and the trust for an endpoint. Exactly one identity source may be configured:
 * keyStore, certificateFile + privateKeyFile, clientCertificates, sslContextParameters; when none is, the global
 * SSLContextParameters are used if the component allows them, otherwise the session is anonymous.
 */
public final class IdentityResolver {

    private final CamelContext context;
    private final SmtpsCertConfiguration config;
    private final SSLContextParameters global;

    /** @param global the context's global SSLContextParameters, or null when the component does not use them */
    public IdentityResolver(CamelContext context, SmtpsCertConfiguration config, SSLContextParameters global) {
        this.context = context;
        this.config = config;
        this.global = global;
    }

    public Identities identities() {
        List<String> sources = new ArrayList<>();
        if (config.getKeyStore() != null) {
            sources.add("keyStore");
        }
        if (config.getCertificateFile() != null || config.getPrivateKeyFile() != null) {
            sources.add("certificateFile/privateKeyFile");
        }
        if (config.getClientCertificates() != null) {
            sources.add("clientCertificates");
        }
        if (config.getSslContextParameters() != null && config.getSslContextParameters().getKeyManagers() != null) {
            sources.add("sslContextParameters");
        }
        if (sources.size() > 1) {
            throw SmtpsCertConfigurationException.of(String.join(" and ", sources), null,
                    "more than one client certificate source is configured",
                    "Fix: keep exactly one of keyStore, certificateFile + privateKeyFile, clientCertificates, sslContextParameters");
        }
        boolean dates = config.isValidateCertificateDates();
        if (config.getKeyStore() != null) {
            KeyStore store = KeyStores.load(context, "keyStore", config.getKeyStore(), config.getKeyStoreType(),
                    chars(config.getKeyStorePassword()));
            return Identities.fromKeyStore(store, "keyStore", config.getKeyAlias(), keyPassword(), dates);
        }
        if (!sources.isEmpty() && sources.get(0).startsWith("certificateFile")) {
            return Identities.of(fromPem(), dates);
        }
        if (config.getClientCertificates() != null) {
            return fromBean(config.getClientCertificates(), dates);
        }
        if (config.getSslContextParameters() != null && config.getSslContextParameters().getKeyManagers() != null) {
            return Identities.of(fromKeyManagers(keyManagers(config.getSslContextParameters(), "sslContextParameters"),
                    "sslContextParameters", certAlias(config.getSslContextParameters())), dates);
        }
        if (global != null && global.getKeyManagers() != null) {
            return Identities.of(fromKeyManagers(keyManagers(global, "useGlobalSslContextParameters"),
                    "useGlobalSslContextParameters", certAlias(global)), dates);
        }
        return Identities.of(null, dates);
    }

    /** Trust managers for the server's certificate; null means the JVM's default trust. */
    public TrustManager[] trustManagers() {
        if (config.getTrustStore() != null && config.getTrustCertificates() != null) {
            throw SmtpsCertConfigurationException.of("trustStore and trustCertificates", null,
                    "both are configured", "Fix: keep one of them");
        }
        try {
            if (config.getTrustStore() != null) {
                return trustFrom(KeyStores.load(context, "trustStore", config.getTrustStore(),
                        config.getTrustStoreType(), chars(config.getTrustStorePassword())));
            }
            if (config.getTrustCertificates() != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : PemReader.readCertificates(context, "trustCertificates", config.getTrustCertificates())) {
                    store.setCertificateEntry("ca-" + i++, ca);
                }
                return trustFrom(store);
            }
            String option = config.getSslContextParameters() != null ? "sslContextParameters"
                    : config.getClientCertificates() instanceof SSLContextParameters ? "clientCertificates"
                    : "useGlobalSslContextParameters";
            SSLContextParameters scp = config.getSslContextParameters() != null ? config.getSslContextParameters()
                    : config.getClientCertificates() instanceof SSLContextParameters bean ? bean : global;
            if (scp != null && scp.getTrustManagers() != null) {
                return trustFrom(scp, option);
            }
            return null;
        } catch (SmtpsCertConfigurationException e) {
            throw e;
        } catch (Exception e) {
            String option = config.getTrustStore() != null ? "trustStore" : "trustCertificates";
            throw SmtpsCertConfigurationException.of(option, null,
                    "cannot build the trust managers (" + e.getMessage() + ")", "Fix: check the trust options", e);
        }
    }

    private TrustManager[] trustFrom(SSLContextParameters scp, String option) {
        try {
            scp.getTrustManagers().setCamelContext(context);
            if (scp.getTrustManagers().getKeyStore() != null) {
                scp.getTrustManagers().getKeyStore().setCamelContext(context);
            }
            return scp.getTrustManagers().createTrustManagers();
        } catch (Exception e) {
            throw SmtpsCertConfigurationException.of(option, null,
                    "the SSLContextParameters trust managers cannot be created (" + e.getMessage() + ")",
                    "Fix: check the trust store resource and password in its trustManagers", e);
        }
    }

    private ClientIdentity fromPem() {
        if (config.getCertificateFile() == null || config.getPrivateKeyFile() == null) {
            String missing = config.getCertificateFile() == null ? "certificateFile" : "privateKeyFile";
            throw SmtpsCertConfigurationException.of(missing, null, "is missing",
                    "Fix: PEM identities need both certificateFile (certificate chain) and privateKeyFile (its key)");
        }
        List<X509Certificate> chain = PemReader.readCertificates(context, "certificateFile", config.getCertificateFile());
        PrivateKey key = PemReader.readPrivateKey(context, "privateKeyFile", config.getPrivateKeyFile(),
                chars(config.getPrivateKeyPassword()), "privateKeyPassword");
        try {
            return ClientIdentity.of(key, chain.toArray(new X509Certificate[0]));
        } catch (IllegalArgumentException e) {
            throw SmtpsCertConfigurationException.of("privateKeyFile", config.getPrivateKeyFile(),
                    "the key does not belong to the first certificate of certificateFile=" + config.getCertificateFile(),
                    "Fix: give the key that was issued with that certificate, and put the client certificate first in the file");
        }
    }

    private Identities fromBean(Object bean, boolean dates) {
        if (bean instanceof ClientIdentity identity) {
            return Identities.of(identity, dates);
        }
        if (bean instanceof KeyStore store) {
            return Identities.fromKeyStore(store, "clientCertificates", config.getKeyAlias(), keyPassword(), dates);
        }
        if (bean instanceof SSLContextParameters scp) {
            if (scp.getKeyManagers() == null) {
                throw SmtpsCertConfigurationException.of("clientCertificates", "SSLContextParameters",
                        "the bean has no keyManagers", "Fix: set keyManagers (a KeyManagersParameters with a key store)");
            }
            return Identities.of(fromKeyManagers(keyManagers(scp, "clientCertificates"), "clientCertificates", certAlias(scp)), dates);
        }
        if (bean instanceof KeyManager[] managers) {
            return Identities.of(fromKeyManagers(managers, "clientCertificates", config.getKeyAlias()), dates);
        }
        if (bean instanceof X509KeyManager manager) {
            return Identities.of(fromKeyManagers(new KeyManager[] { manager }, "clientCertificates", config.getKeyAlias()), dates);
        }
        throw SmtpsCertConfigurationException.of("clientCertificates", bean.getClass().getName(),
                "unsupported bean type (or a plain string where #beanName was meant)",
                "Fix: reference a registry bean with #name that is a KeyStore, X509KeyManager, KeyManager[], "
                + "SSLContextParameters or io.github.smtpscert.tls.ClientIdentity");
    }

    private String certAlias(SSLContextParameters scp) {
        return config.getKeyAlias() != null ? config.getKeyAlias() : scp.getCertAlias();
    }

    private KeyManager[] keyManagers(SSLContextParameters scp, String option) {
        try {
            scp.getKeyManagers().setCamelContext(context);
            if (scp.getKeyManagers().getKeyStore() != null) {
                scp.getKeyManagers().getKeyStore().setCamelContext(context);
            }
            return scp.getKeyManagers().createKeyManagers();
        } catch (Exception e) {
            throw SmtpsCertConfigurationException.of(option, null,
                    "the SSLContextParameters key managers cannot be created (" + e.getMessage() + ")",
                    "Fix: check the key store resource and passwords in its keyManagers", e);
        }
    }

    /** Takes the key manager's alias to present: the given one, else the alias that sorts first. */
    private static ClientIdentity fromKeyManagers(KeyManager[] managers, String option, String alias) {
        for (KeyManager km : managers) {
            if (km instanceof X509KeyManager x509) {
                String chosen = alias != null ? alias : firstAlias(x509);
                if (chosen == null) {
                    continue;
                }
                X509Certificate[] chain = x509.getCertificateChain(chosen);
                PrivateKey key = x509.getPrivateKey(chosen);
                if (chain == null || chain.length == 0 || key == null) {
                    throw SmtpsCertConfigurationException.of(alias != null ? "keyAlias" : option, chosen,
                            "the key manager has no certificate chain and private key for this alias",
                            "Fix: use the alias of a private key entry");
                }
                try {
                    return ClientIdentity.of(key, chain);
                } catch (IllegalArgumentException e) {
                    throw SmtpsCertConfigurationException.of(option, chosen, e.getMessage(), "Fix: check the key entry", e);
                }
            }
        }
        throw SmtpsCertConfigurationException.of(option, null, "the key managers hold no client certificate with a private key",
                "Fix: give key material with at least one private key entry");
    }

    private static String firstAlias(X509KeyManager manager) {
        List<String> aliases = new ArrayList<>();
        for (String type : new String[] { "RSA", "EC", "RSASSA-PSS", "EdDSA", "Ed25519", "DSA" }) {
            String[] found = manager.getClientAliases(type, null);
            if (found != null) {
                aliases.addAll(Arrays.asList(found));
            }
        }
        return aliases.stream().distinct().sorted(String.CASE_INSENSITIVE_ORDER).findFirst().orElse(null);
    }

    private char[] keyPassword() {
        String password = config.getKeyPassword() != null ? config.getKeyPassword() : config.getKeyStorePassword();
        return password == null ? new char[0] : password.toCharArray();
    }

    private static TrustManager[] trustFrom(KeyStore store) throws java.security.GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static char[] chars(String secret) {
        return secret == null ? null : secret.toCharArray();
    }
}
