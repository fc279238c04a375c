package io.github.smtpscert.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import io.github.smtpscert.internal.ConfigurationProblem;
import org.apache.camel.CamelContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/** Reads PEM certificates and private keys with Bouncy Castle; errors name the option and the file. */
public final class PemReader {

    // An instance, never registered globally: the JVM's provider list stays as the application set it.
    private static final Provider BC = new BouncyCastleProvider();

    private PemReader() {
    }

    public static List<X509Certificate> readCertificates(CamelContext context, String option, String location) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(BC);
        try (PEMParser parser = parser(context, option, location)) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException e) {
            throw ConfigurationProblem.of(option, location, "is not a valid PEM file (" + e.getMessage() + ")",
                    "Fix: give a PEM file with -----BEGIN CERTIFICATE----- blocks", e);
        }
        if (certificates.isEmpty()) {
            throw ConfigurationProblem.of(option, location, "contains no certificate",
                    "Fix: give a PEM file with the client certificate first, then its intermediates");
        }
        return certificates;
    }

    public static PrivateKey readPrivateKey(CamelContext context, String option, String location, char[] password,
                                            String passwordOption) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = parser(context, option, location)) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (item instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (item instanceof PEMEncryptedKeyPair encrypted) {
                    requirePassword(option, location, password, passwordOption);
                    PEMKeyPair pair;
                    try {
                        pair = encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC).build(password));
                    } catch (IOException | RuntimeException e) {
                        // a wrong password usually fails the padding check, but may instead yield garbage that fails to parse
                        throw wrongPassword(option, location, passwordOption, e);
                    }
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (item instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    requirePassword(option, location, password, passwordOption);
                    PrivateKeyInfo info;
                    try {
                        info = encrypted.decryptPrivateKeyInfo(
                                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password));
                    } catch (PKCSException | OperatorCreationException | RuntimeException e) {
                        throw wrongPassword(option, location, passwordOption, e);
                    }
                    return converter.getPrivateKey(info);
                }
            }
        } catch (PEMException e) {
            throw ConfigurationProblem.of(option, location, "is not a readable private key (" + e.getMessage() + ")",
                    "Fix: give a PEM private key (PKCS#8, PKCS#1 RSA, SEC1 EC, or their encrypted forms)", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigurationProblem configurationException) {
                throw configurationException;
            }
            throw ConfigurationProblem.of(option, location, "is not a valid PEM file (" + e.getMessage() + ")",
                    "Fix: give a PEM private key (PKCS#8, PKCS#1 RSA, SEC1 EC, or their encrypted forms)", e);
        }
        throw ConfigurationProblem.of(option, location, "contains no private key",
                "Fix: give the PEM file holding the client's private key (-----BEGIN ... PRIVATE KEY-----)");
    }

    private static ConfigurationProblem wrongPassword(String option, String location, String passwordOption,
                                                                  Exception cause) {
        return ConfigurationProblem.of(passwordOption, null,
                "cannot decrypt " + option + "=" + location + " (wrong password?)",
                "Fix: set " + passwordOption + " to the key's password", cause);
    }

    private static void requirePassword(String option, String location, char[] password, String passwordOption) {
        if (password == null) {
            throw ConfigurationProblem.of(option, location, "the private key is encrypted and no password is set",
                    "Fix: set " + passwordOption);
        }
    }

    private static PEMParser parser(CamelContext context, String option, String location) {
        InputStream in = KeyStores.open(context, option, location);
        Reader reader = new InputStreamReader(in, StandardCharsets.US_ASCII);
        return new PEMParser(reader);
    }
}
