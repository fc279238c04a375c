package io.github.smtpscert.internal.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;

/** The server's certificate failed the trust check: what it was, and what it was checked against. */
public final class UntrustedServerException extends CertificateException {

    private final String subject;
    private final String issuer;
    private final String validity;
    private final boolean outsideValidity;
    private final String trustSource;

    private UntrustedServerException(CertificateException cause, String subject, String issuer, String validity,
                                     boolean outsideValidity, String trustSource) {
        super(cause.getMessage(), cause);
        this.subject = subject;
        this.issuer = issuer;
        this.validity = validity;
        this.outsideValidity = outsideValidity;
        this.trustSource = trustSource;
    }

    static UntrustedServerException of(X509Certificate[] chain, String trustSource, Date now, CertificateException e) {
        if (chain == null || chain.length == 0) {
            return new UntrustedServerException(e, "(none sent)", "(none)", "", false, trustSource);
        }
        X509Certificate leaf = chain[0];
        boolean outside = now.before(leaf.getNotBefore()) || now.after(leaf.getNotAfter());
        return new UntrustedServerException(e, leaf.getSubjectX500Principal().getName(),
                leaf.getIssuerX500Principal().getName(),
                "valid from " + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant(), outside,
                trustSource);
    }

    public String subject() {
        return subject;
    }

    public String issuer() {
        return issuer;
    }

    /** "valid from ... to ...". */
    public String validity() {
        return validity;
    }

    /** The server's certificate has expired or is not yet valid. */
    public boolean outsideValidity() {
        return outsideValidity;
    }

    /** Which trust was in use: "trustStore=...", "trustCertificates=...", the JVM's default... */
    public String trustSource() {
        return trustSource;
    }
}
