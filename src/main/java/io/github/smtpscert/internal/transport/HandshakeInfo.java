package io.github.smtpscert.internal.transport;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLSession;

/**
 * What one TLS handshake negotiated. JSSE has no public "was this resumed" flag: a resumed TLS 1.2 session is the
 * cached session itself and a resumed TLS 1.3 session keeps the original creation time, so in both cases the session
 * is older than the handshake that produced it.
 */
public record HandshakeInfo(String protocol, String cipherSuite, boolean resumed, String presentedSubjectDn) {

    public static HandshakeInfo of(SSLSession session, long handshakeStartMillis) {
        boolean resumed = session.getCreationTime() < handshakeStartMillis;
        Certificate[] local = session.getLocalCertificates();
        String subject = local != null && local.length > 0 && local[0] instanceof X509Certificate x509
                ? x509.getSubjectX500Principal().getName()
                : null;
        return new HandshakeInfo(session.getProtocol(), session.getCipherSuite(), resumed, subject);
    }
}
