package io.github.smtpscert.internal.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presents one certificate of an identity (or of a set, {@link Identity#anyOf}), as .NET's SslStream does with
 * SmtpClient.ClientCertificates: the first, in configured order, of the server's key type whose chain names an issuer
 * from the server's list of acceptable CAs; the first of the key type when the server sends no list. When none
 * matches, the first is presented anyway, with one WARN: going silently anonymous would hide the problem.
 */
final class SelectingKeyManager extends X509ExtendedKeyManager {

    private static final Logger LOG = LoggerFactory.getLogger(SelectingKeyManager.class);
    private static final String ALIAS = "client-";

    private final List<Identity> members;
    private final String address;
    private final AtomicBoolean warned = new AtomicBoolean();

    SelectingKeyManager(Identity identity, String address) {
        this.members = identity.members();
        this.address = address;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes, issuers);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes, issuers);
    }

    private String choose(String[] keyTypes, Principal[] issuers) {
        int first = -1;
        for (int i = 0; i < members.size(); i++) {
            if (!ofKeyType(members.get(i), keyTypes)) {
                continue;
            }
            if (issuers == null || issuers.length == 0 || issuedByOneOf(members.get(i), issuers)) {
                return ALIAS + i;
            }
            if (first < 0) {
                first = i;
            }
        }
        if (first < 0 && !members.isEmpty() && warned.compareAndSet(false, true)) {
            LOG.warn("smtps-cert:{}: the server asks for a client certificate with a key of type {}, but ours have "
                     + "{}, so none is presented; expect the server to refuse the session. Fix: use a certificate with "
                     + "a key type the server accepts", address, keyTypes == null ? "any" : String.join(", ", keyTypes),
                    members.stream().map(m -> m.privateKey().getAlgorithm()).distinct().collect(Collectors.joining(", ")));
        }
        if (first >= 0 && warned.compareAndSet(false, true)) {
            LOG.warn("smtps-cert:{}: the server accepts client certificates from {}, but none of ours chains to one of "
                     + "them: {}. Presenting {} anyway; expect the server to refuse it. Fix: configure a client "
                     + "certificate from one of the server's CAs (or ask the relay operator to trust ours)", address,
                    Arrays.stream(issuers).map(Principal::getName).collect(Collectors.joining("; ")),
                    members.stream().map(m -> m.name() + " (issued by "
                                              + m.certificate().getIssuerX500Principal().getName() + ")")
                            .collect(Collectors.joining("; ")),
                    members.get(first).name());
        }
        return first < 0 ? null : ALIAS + first;
    }

    /** Whether any certificate of the chain was issued by, or is, one of the server's acceptable CAs. */
    private static boolean issuedByOneOf(Identity identity, Principal[] issuers) {
        List<Principal> accepted = Arrays.asList(issuers);
        for (X509Certificate certificate : identity.chain()) {
            if (accepted.contains(certificate.getIssuerX500Principal())
                || (certificate != identity.certificate() && accepted.contains(certificate.getSubjectX500Principal()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean ofKeyType(Identity identity, String[] keyTypes) {
        if (keyTypes == null) {
            return true;
        }
        String keyAlgorithm = identity.privateKey().getAlgorithm().toUpperCase(Locale.ROOT);
        for (String keyType : keyTypes) {
            String type = keyType.toUpperCase(Locale.ROOT);
            if (type.equals(keyAlgorithm) || type.startsWith(keyAlgorithm + "_")
                || (keyAlgorithm.equals("RSA") && type.equals("RSASSA-PSS"))) {
                return true;
            }
        }
        return false;
    }

    private Identity member(String alias) {
        if (alias == null || !alias.startsWith(ALIAS)) {
            return null;
        }
        try {
            int index = Integer.parseInt(alias.substring(ALIAS.length()));
            return index >= 0 && index < members.size() ? members.get(index) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String[] aliases = new String[members.size()];
        int n = 0;
        for (int i = 0; i < members.size(); i++) {
            if (ofKeyType(members.get(i), new String[] { keyType })
                && (issuers == null || issuers.length == 0 || issuedByOneOf(members.get(i), issuers))) {
                aliases[n++] = ALIAS + i;
            }
        }
        return n == 0 ? null : Arrays.copyOf(aliases, n);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity member = member(alias);
        return member == null ? null : member.chain();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity member = member(alias);
        return member == null ? null : member.privateKey();
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
