package io.github.smtpscert;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * Every option of the smtps-cert component. The component holds one instance as defaults; each endpoint gets a
 * copy with its URI options applied on top.
 */
@UriParams
public class SmtpsCertConfiguration implements Cloneable {

    /** The pinned default of {@code cipherSuites}: TLS 1.3 suites, then ECDHE AEAD suites for TLS 1.2. */
    static final String DEFAULT_CIPHER_SUITES = "TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,"
            + "TLS_CHACHA20_POLY1305_SHA256,"
            + "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"
            + "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,"
            + "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
            + "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";

    // --- server ---

    @UriPath
    @Metadata(required = true)
    private String host;
    @UriPath
    private int port;
    @UriParam(enums = "IMPLICIT,STARTTLS")
    private TlsMode tlsMode;
    @UriParam(label = "advanced", defaultValue = "30000")
    private int connectionTimeout = 30000;
    @UriParam(label = "advanced", defaultValue = "30000")
    private int timeout = 30000;
    @UriParam(label = "advanced", defaultValue = "30000")
    private int writeTimeout = 30000;

    // --- message ---

    @UriParam
    private String from;
    @UriParam
    private String to;
    @UriParam
    private String cc;
    @UriParam
    private String bcc;
    @UriParam
    private String replyTo;
    @UriParam
    private String subject;
    @UriParam(defaultValue = "text/plain")
    private String contentType = "text/plain";
    @UriParam(defaultValue = "UTF-8")
    private String charset = "UTF-8";
    @UriParam(label = "advanced")
    private boolean useHeaderRecipients;
    @UriParam(label = "advanced")
    private boolean useHeaderFrom;
    @UriParam(label = "advanced")
    private boolean useHeaderSubject;
    @UriParam(label = "advanced")
    private boolean sendPartial;
    @UriParam(label = "advanced")
    private String messageId;

    // --- login ---

    @UriParam(label = "security", secret = true)
    private String username;
    @UriParam(label = "security", secret = true)
    private String password;

    // --- client identity ---

    @UriParam(label = "security")
    private String keyStore;
    @UriParam(label = "security", secret = true)
    private String keyStorePassword;
    @UriParam(label = "security", defaultValue = "PKCS12", enums = "PKCS12,JKS")
    private String keyStoreType = "PKCS12";
    @UriParam(label = "security")
    private String keyAlias;
    @UriParam(label = "security", secret = true)
    private String keyPassword;
    @UriParam(label = "security")
    private String certificateFile;
    @UriParam(label = "security")
    private String privateKeyFile;
    @UriParam(label = "security", secret = true)
    private String privateKeyPassword;
    @UriParam(label = "security")
    private Object clientCertificates;
    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;
    @UriParam(label = "security", defaultValue = "true")
    private boolean validateCertificateDates = true;
    @UriParam(label = "security")
    private boolean allowIdentityFromHeader;
    @UriParam(label = "security", defaultValue = "14d", javaType = "java.time.Duration")
    private long certificateExpiryWarning = 14L * 24 * 60 * 60 * 1000;
    @UriParam(label = "security", defaultValue = "60s", javaType = "java.time.Duration")
    private long reloadInterval = 60_000;
    @UriParam(label = "security")
    private String sslBundle;
    @UriParam(label = "security")
    private String tlsConfigurationName;

    // --- trust and TLS policy ---

    @UriParam(label = "security")
    private String trustStore;
    @UriParam(label = "security", secret = true)
    private String trustStorePassword;
    @UriParam(label = "security", defaultValue = "PKCS12", enums = "PKCS12,JKS")
    private String trustStoreType = "PKCS12";
    @UriParam(label = "security")
    private String trustCertificates;
    @UriParam(label = "security", defaultValue = "true", security = "insecure:ssl")
    private boolean verifyHostname = true;
    @UriParam(label = "security", defaultValue = "TLSv1.3,TLSv1.2", security = "insecure:ssl")
    private String protocols = "TLSv1.3,TLSv1.2";
    @UriParam(label = "security", security = "insecure:ssl", defaultValue = DEFAULT_CIPHER_SUITES)
    private String cipherSuites = DEFAULT_CIPHER_SUITES;

    // --- session cache and pool ---

    @UriParam(label = "advanced", defaultValue = "true")
    private boolean sslSessionCacheEnabled = true;
    @UriParam(label = "advanced", defaultValue = "100")
    private int sslSessionCacheSize = 100;
    @UriParam(label = "advanced", defaultValue = "86400")
    private int sslSessionTimeout = 86400;
    @UriParam(label = "advanced", defaultValue = "true")
    private boolean poolEnabled = true;
    @UriParam(label = "advanced", defaultValue = "4")
    private int poolMaxConnections = 4;
    @UriParam(label = "advanced", defaultValue = "60000", javaType = "java.time.Duration")
    private long poolIdleTimeout = 60000;
    @UriParam(label = "advanced", defaultValue = "2000", javaType = "java.time.Duration")
    private long poolValidateAfterInactivity = 2000;
    @UriParam(label = "advanced", defaultValue = "1000")
    private int maxMessagesPerConnection = 1000;

    /** Drops every identity option, so that an endpoint's own identity never mixes with the component's. */
    void clearIdentity() {
        keyStore = null;
        keyStorePassword = null;
        keyStoreType = new SmtpsCertConfiguration().keyStoreType;
        keyAlias = null;
        keyPassword = null;
        certificateFile = null;
        privateKeyFile = null;
        privateKeyPassword = null;
        clientCertificates = null;
        sslContextParameters = null;
        sslBundle = null;
        tlsConfigurationName = null;
    }

    /** @return a copy of these options, for an endpoint to change without touching the component's */
    public SmtpsCertConfiguration copy() {
        try {
            return (SmtpsCertConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    /** @return the TLS mode in effect: the configured one, else IMPLICIT on port 465 and STARTTLS otherwise */
    public TlsMode effectiveTlsMode() {
        if (tlsMode != null) {
            return tlsMode;
        }
        return port == 0 || port == 465 ? TlsMode.IMPLICIT : TlsMode.STARTTLS;
    }

    /** @return the port in effect: the configured one, else 465 for implicit TLS and 587 for STARTTLS */
    public int effectivePort() {
        if (port > 0) {
            return port;
        }
        return effectiveTlsMode() == TlsMode.STARTTLS ? 587 : 465;
    }

    /** @return the {@code host} option; see {@link #setHost} */
    public String getHost() {
        return host;
    }

    /**
     * The SMTP server's host name or address. It is also the name checked against the server's certificate.
     *
     * @param host the new value
     */
    public void setHost(String host) {
        this.host = host;
    }

    /** @return the {@code port} option; see {@link #setPort} */
    public int getPort() {
        return port;
    }

    /**
     * The SMTP server's port. Default: 465 with tlsMode=IMPLICIT, 587 with tlsMode=STARTTLS.
     *
     * @param port the new value
     */
    public void setPort(int port) {
        this.port = port;
    }

    /** @return the {@code tlsMode} option; see {@link #setTlsMode} */
    public TlsMode getTlsMode() {
        return tlsMode;
    }

    /**
     * IMPLICIT (TLS from the first byte) or STARTTLS (required: the send fails if the server does not offer it; there
     * is never a fall-back to plaintext). Default: IMPLICIT on port 465, STARTTLS on any other port.
     *
     * @param tlsMode the new value
     */
    public void setTlsMode(TlsMode tlsMode) {
        this.tlsMode = tlsMode;
    }

    /** @return the {@code connectionTimeout} option; see {@link #setConnectionTimeout} */
    public int getConnectionTimeout() {
        return connectionTimeout;
    }

    /**
     * How long to wait for the TCP connection, in milliseconds.
     *
     * @param connectionTimeout the new value
     */
    public void setConnectionTimeout(int connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    /** @return the {@code timeout} option; see {@link #setTimeout} */
    public int getTimeout() {
        return timeout;
    }

    /**
     * How long each server reply may take, in milliseconds: the whole reply (the greeting, each TLS handshake flight,
     * each answer to a command) must arrive within this time of the command that asked for it, however slowly the
     * server drips it. A reply may also hold at most 64 KiB (lines of at most 4 KiB before TLS).
     *
     * @param timeout the new value
     */
    public void setTimeout(int timeout) {
        this.timeout = timeout;
    }

    /** @return the {@code writeTimeout} option; see {@link #setWriteTimeout} */
    public int getWriteTimeout() {
        return writeTimeout;
    }

    /**
     * How long one socket write may block, in milliseconds.
     *
     * @param writeTimeout the new value
     */
    public void setWriteTimeout(int writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    /** @return the {@code from} option; see {@link #setFrom} */
    public String getFrom() {
        return from;
    }

    /**
     * The sender address (From header and envelope sender).
     *
     * @param from the new value
     */
    public void setFrom(String from) {
        this.from = from;
    }

    /** @return the {@code to} option; see {@link #setTo} */
    public String getTo() {
        return to;
    }

    /**
     * Recipients, comma separated.
     *
     * @param to the new value
     */
    public void setTo(String to) {
        this.to = to;
    }

    /** @return the {@code cc} option; see {@link #setCc} */
    public String getCc() {
        return cc;
    }

    /**
     * Carbon-copy recipients, comma separated.
     *
     * @param cc the new value
     */
    public void setCc(String cc) {
        this.cc = cc;
    }

    /** @return the {@code bcc} option; see {@link #setBcc} */
    public String getBcc() {
        return bcc;
    }

    /**
     * Blind carbon-copy recipients, comma separated. They receive the mail but appear in no header.
     *
     * @param bcc the new value
     */
    public void setBcc(String bcc) {
        this.bcc = bcc;
    }

    /** @return the {@code replyTo} option; see {@link #setReplyTo} */
    public String getReplyTo() {
        return replyTo;
    }

    /**
     * The Reply-To address(es), comma separated.
     *
     * @param replyTo the new value
     */
    public void setReplyTo(String replyTo) {
        this.replyTo = replyTo;
    }

    /** @return the {@code subject} option; see {@link #setSubject} */
    public String getSubject() {
        return subject;
    }

    /**
     * The subject. Non-ASCII text is encoded (RFC 2047) with the configured charset.
     *
     * @param subject the new value
     */
    public void setSubject(String subject) {
        this.subject = subject;
    }

    /** @return the {@code contentType} option; see {@link #setContentType} */
    public String getContentType() {
        return contentType;
    }

    /**
     * The body's MIME type, for example text/plain or text/html.
     *
     * @param contentType the new value
     */
    public void setContentType(String contentType) {
        this.contentType = contentType;
    }

    /** @return the {@code charset} option; see {@link #setCharset} */
    public String getCharset() {
        return charset;
    }

    /**
     * The charset of the body and subject.
     *
     * @param charset the new value
     */
    public void setCharset(String charset) {
        this.charset = charset;
    }

    /** @return the {@code useHeaderRecipients} option; see {@link #setUseHeaderRecipients} */
    public boolean isUseHeaderRecipients() {
        return useHeaderRecipients;
    }

    /**
     * Take recipients from the exchange headers To, Cc and Bcc instead of the options. Off by default because
     * headers can come from untrusted input (as in camel-mail since CVE-2025-27636).
     *
     * @param useHeaderRecipients the new value
     */
    public void setUseHeaderRecipients(boolean useHeaderRecipients) {
        this.useHeaderRecipients = useHeaderRecipients;
    }

    /** @return the {@code useHeaderFrom} option; see {@link #setUseHeaderFrom} */
    public boolean isUseHeaderFrom() {
        return useHeaderFrom;
    }

    /**
     * Take the sender from the exchange header From instead of the from option.
     *
     * @param useHeaderFrom the new value
     */
    public void setUseHeaderFrom(boolean useHeaderFrom) {
        this.useHeaderFrom = useHeaderFrom;
    }

    /** @return the {@code useHeaderSubject} option; see {@link #setUseHeaderSubject} */
    public boolean isUseHeaderSubject() {
        return useHeaderSubject;
    }

    /**
     * Take the subject from the exchange header Subject instead of the subject option.
     *
     * @param useHeaderSubject the new value
     */
    public void setUseHeaderSubject(boolean useHeaderSubject) {
        this.useHeaderSubject = useHeaderSubject;
    }

    /** @return the {@code sendPartial} option; see {@link #setSendPartial} */
    public boolean isSendPartial() {
        return sendPartial;
    }

    /**
     * When the server rejects some recipients: send to the accepted ones and report the rejected ones in the
     * CamelSmtpsCertRejectedRecipients header, instead of failing the exchange.
     *
     * @param sendPartial the new value
     */
    public void setSendPartial(boolean sendPartial) {
        this.sendPartial = sendPartial;
    }

    /** @return the {@code messageId} option; see {@link #setMessageId} */
    public String getMessageId() {
        return messageId;
    }

    /**
     * The mail's Message-ID, as a Simple expression evaluated for each exchange, for example
     * ${header.OutboxId}@outbox.example.org. A redelivered exchange then sends the same Message-ID, so receivers can
     * recognise a duplicate. The result must be an RFC 5322 msg-id, left@right, with or without its angle brackets.
     * Default: a new Message-ID for each attempt.
     *
     * @param messageId the new value
     */
    public void setMessageId(String messageId) {
        this.messageId = messageId;
    }

    /** @return the {@code username} option; see {@link #setUsername} */
    public String getUsername() {
        return username;
    }

    /**
     * User name for SMTP AUTH. Many certificate-authenticated relays need no login; leave it empty then.
     *
     * @param username the new value
     */
    public void setUsername(String username) {
        this.username = username;
    }

    /** @return the {@code password} option; see {@link #setPassword} */
    public String getPassword() {
        return password;
    }

    /**
     * Password for SMTP AUTH.
     *
     * @param password the new value
     */
    public void setPassword(String password) {
        this.password = password;
    }

    /** @return the {@code keyStore} option; see {@link #setKeyStore} */
    public String getKeyStore() {
        return keyStore;
    }

    /**
     * Key store holding the client certificate and its private key: file:, classpath: or a plain file path.
     *
     * @param keyStore the new value
     */
    public void setKeyStore(String keyStore) {
        this.keyStore = keyStore;
    }

    /** @return the {@code keyStorePassword} option; see {@link #setKeyStorePassword} */
    public String getKeyStorePassword() {
        return keyStorePassword;
    }

    /**
     * Password of the keyStore.
     *
     * @param keyStorePassword the new value
     */
    public void setKeyStorePassword(String keyStorePassword) {
        this.keyStorePassword = keyStorePassword;
    }

    /** @return the {@code keyStoreType} option; see {@link #setKeyStoreType} */
    public String getKeyStoreType() {
        return keyStoreType;
    }

    /**
     * Type of the keyStore: PKCS12 or JKS.
     *
     * @param keyStoreType the new value
     */
    public void setKeyStoreType(String keyStoreType) {
        this.keyStoreType = keyStoreType;
    }

    /** @return the {@code keyAlias} option; see {@link #setKeyAlias} */
    public String getKeyAlias() {
        return keyAlias;
    }

    /**
     * Alias of the key entry to present. Without it, every key entry of the store is a candidate, in alias order
     * (case-insensitive): the first one whose chain contains a CA from the server's list of acceptable CAs is
     * presented, or the first one when the server sends no list.
     *
     * @param keyAlias the new value
     */
    public void setKeyAlias(String keyAlias) {
        this.keyAlias = keyAlias;
    }

    /** @return the {@code keyPassword} option; see {@link #setKeyPassword} */
    public String getKeyPassword() {
        return keyPassword;
    }

    /**
     * Password of the key entry, when it differs from keyStorePassword.
     *
     * @param keyPassword the new value
     */
    public void setKeyPassword(String keyPassword) {
        this.keyPassword = keyPassword;
    }

    /** @return the {@code certificateFile} option; see {@link #setCertificateFile} */
    public String getCertificateFile() {
        return certificateFile;
    }

    /**
     * PEM file with the client certificate first, then its intermediates. Goes with privateKeyFile. Several files,
     * separated by commas, give several client certificates (one key file each, in the same order): the first whose
     * chain contains a CA from the server's list of acceptable CAs is presented, or the first when there is no list.
     *
     * @param certificateFile the new value
     */
    public void setCertificateFile(String certificateFile) {
        this.certificateFile = certificateFile;
    }

    /** @return the {@code privateKeyFile} option; see {@link #setPrivateKeyFile} */
    public String getPrivateKeyFile() {
        return privateKeyFile;
    }

    /**
     * PEM file with the client's private key: PKCS#8, PKCS#1 RSA, SEC1 EC, encrypted PKCS#8 or legacy encrypted
     * PEM. Goes with certificateFile; a comma-separated list when certificateFile lists several.
     *
     * @param privateKeyFile the new value
     */
    public void setPrivateKeyFile(String privateKeyFile) {
        this.privateKeyFile = privateKeyFile;
    }

    /** @return the {@code privateKeyPassword} option; see {@link #setPrivateKeyPassword} */
    public String getPrivateKeyPassword() {
        return privateKeyPassword;
    }

    /**
     * Password of an encrypted privateKeyFile.
     *
     * @param privateKeyPassword the new value
     */
    public void setPrivateKeyPassword(String privateKeyPassword) {
        this.privateKeyPassword = privateKeyPassword;
    }

    /** @return the {@code clientCertificates} option; see {@link #setClientCertificates} */
    public Object getClientCertificates() {
        return clientCertificates;
    }

    /**
     * The client identity as a registry bean (#name): a java.security.KeyStore, a javax.net.ssl.X509KeyManager or
     * KeyManager[], Camel's SSLContextParameters, an io.github.smtpscert.ClientIdentity, or a List of ClientIdentity
     * (tried in order: the first whose chain contains a CA from the server's list of acceptable CAs is presented).
     *
     * @param clientCertificates the new value
     */
    public void setClientCertificates(Object clientCertificates) {
        this.clientCertificates = clientCertificates;
    }

    /** @return the {@code sslContextParameters} option; see {@link #setSslContextParameters} */
    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    /**
     * Camel SSLContextParameters whose key managers give the client identity and whose trust managers (if any) give
     * the trust. Protocols and cipher suites come from this component's own options.
     *
     * @param sslContextParameters the new value
     */
    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    /** @return the {@code validateCertificateDates} option; see {@link #setValidateCertificateDates} */
    public boolean isValidateCertificateDates() {
        return validateCertificateDates;
    }

    /**
     * Refuse to start with, or reload to, a client certificate that is expired or not yet valid. Of several client
     * certificates, those out of their dates are left out (with a WARN); it is an error only when all of them are.
     *
     * @param validateCertificateDates the new value
     */
    public void setValidateCertificateDates(boolean validateCertificateDates) {
        this.validateCertificateDates = validateCertificateDates;
    }

    /** @return the {@code certificateExpiryWarning} option; see {@link #setCertificateExpiryWarning} */
    public long getCertificateExpiryWarning() {
        return certificateExpiryWarning;
    }

    /**
     * How long before the client certificate chain expires it counts as expiring soon (milliseconds): the health
     * check's expiringSoon detail turns true, the CertificateExpiringSoon JMX attribute too, and a WARN is logged once a
     * day.
     *
     * @param certificateExpiryWarning the new value
     */
    public void setCertificateExpiryWarning(long certificateExpiryWarning) {
        this.certificateExpiryWarning = certificateExpiryWarning;
    }

    /** @return the {@code sslBundle} option; see {@link #setSslBundle} */
    public String getSslBundle() {
        return sslBundle;
    }

    /**
     * Name of a Spring Boot SSL bundle (spring.ssl.bundle.jks.NAME or spring.ssl.bundle.pem.NAME) that gives the
     * client identity (its key store) and the trust (its trust store, unless trustStore or trustCertificates is set).
     * Needs camel-smtps-cert-starter. A bundle with reload-on-update=true is swapped in when Spring Boot reloads it.
     *
     * @param sslBundle the new value
     */
    public void setSslBundle(String sslBundle) {
        this.sslBundle = sslBundle;
    }

    /** @return the {@code tlsConfigurationName} option; see {@link #setTlsConfigurationName} */
    public String getTlsConfigurationName() {
        return tlsConfigurationName;
    }

    /**
     * Name of a Quarkus TLS configuration (quarkus.tls.NAME.*) that gives the client identity (its key store) and the
     * trust (its trust store, unless trustStore or trustCertificates is set). Needs camel-smtps-cert-quarkus. Swapped
     * in when Quarkus reloads it (reload-period, or a CertificateUpdatedEvent).
     *
     * @param tlsConfigurationName the new value
     */
    public void setTlsConfigurationName(String tlsConfigurationName) {
        this.tlsConfigurationName = tlsConfigurationName;
    }

    /** @return the {@code reloadInterval} option; see {@link #setReloadInterval} */
    public long getReloadInterval() {
        return reloadInterval;
    }

    /**
     * How often the identity and trust sources are checked for changes (milliseconds): the files of keyStore,
     * certificateFile, privateKeyFile, trustStore and trustCertificates, compared by content digest (a rewrite and a
     * symlink swap both count), and the registry beans clientCertificates, sslContextParameters and the global
     * SSLContextParameters, which are rebuilt. Changed material that is valid replaces the old as a whole: new
     * connections present it, pooled connections of the old finish their message and close, old TLS sessions are never
     * resumed. Invalid or half-written material is kept out, with one WARN. 0 turns reloading off.
     *
     * @param reloadInterval the new value
     */
    public void setReloadInterval(long reloadInterval) {
        this.reloadInterval = reloadInterval;
    }

    /** @return the {@code allowIdentityFromHeader} option; see {@link #setAllowIdentityFromHeader} */
    public boolean isAllowIdentityFromHeader() {
        return allowIdentityFromHeader;
    }

    /**
     * Let the exchange header CamelSmtpsCertKeyAlias pick the key entry of the configured keyStore for that exchange
     * (multi-tenant senders). Without this option the header is ignored.
     *
     * @param allowIdentityFromHeader the new value
     */
    public void setAllowIdentityFromHeader(boolean allowIdentityFromHeader) {
        this.allowIdentityFromHeader = allowIdentityFromHeader;
    }

    /** @return the {@code trustStore} option; see {@link #setTrustStore} */
    public String getTrustStore() {
        return trustStore;
    }

    /**
     * Trust store with the CA(s) that issued the server's certificate. Default: the JVM's trust.
     *
     * @param trustStore the new value
     */
    public void setTrustStore(String trustStore) {
        this.trustStore = trustStore;
    }

    /** @return the {@code trustStorePassword} option; see {@link #setTrustStorePassword} */
    public String getTrustStorePassword() {
        return trustStorePassword;
    }

    /**
     * Password of the trustStore.
     *
     * @param trustStorePassword the new value
     */
    public void setTrustStorePassword(String trustStorePassword) {
        this.trustStorePassword = trustStorePassword;
    }

    /** @return the {@code trustStoreType} option; see {@link #setTrustStoreType} */
    public String getTrustStoreType() {
        return trustStoreType;
    }

    /**
     * Type of the trustStore: PKCS12 or JKS.
     *
     * @param trustStoreType the new value
     */
    public void setTrustStoreType(String trustStoreType) {
        this.trustStoreType = trustStoreType;
    }

    /** @return the {@code trustCertificates} option; see {@link #setTrustCertificates} */
    public String getTrustCertificates() {
        return trustCertificates;
    }

    /**
     * PEM bundle of CA certificates to trust for the server, instead of a trustStore.
     *
     * @param trustCertificates the new value
     */
    public void setTrustCertificates(String trustCertificates) {
        this.trustCertificates = trustCertificates;
    }

    /** @return the {@code verifyHostname} option; see {@link #setVerifyHostname} */
    public boolean isVerifyHostname() {
        return verifyHostname;
    }

    /**
     * Check that the server's certificate names the host. Turning it off allows man-in-the-middle attacks and is
     * logged as a WARN at start.
     *
     * @param verifyHostname the new value
     */
    public void setVerifyHostname(boolean verifyHostname) {
        this.verifyHostname = verifyHostname;
    }

    /** @return the {@code protocols} option; see {@link #setProtocols} */
    public String getProtocols() {
        return protocols;
    }

    /**
     * TLS protocol versions to enable, comma separated.
     *
     * @param protocols the new value
     */
    public void setProtocols(String protocols) {
        this.protocols = protocols;
    }

    /** @return the {@code cipherSuites} option; see {@link #setCipherSuites} */
    public String getCipherSuites() {
        return cipherSuites;
    }

    /**
     * Cipher suites to enable, comma separated. The default is pinned, not the JVM's list: the TLS 1.3 suites and, for
     * TLS 1.2, ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 only (forward secrecy, authenticated encryption).
     * To reach a server that offers nothing else, widen it by giving the whole list: the default plus the suite the
     * server needs, such as TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256. Suites this JVM does not support are left out,
     * with a WARN at start.
     *
     * @param cipherSuites the new value
     */
    public void setCipherSuites(String cipherSuites) {
        this.cipherSuites = cipherSuites;
    }

    /** @return the {@code sslSessionCacheEnabled} option; see {@link #setSslSessionCacheEnabled} */
    public boolean isSslSessionCacheEnabled() {
        return sslSessionCacheEnabled;
    }

    /**
     * Resume TLS sessions. Sessions are cached per endpoint and per client identity: a session made while presenting
     * one certificate is never resumed while presenting another.
     *
     * @param sslSessionCacheEnabled the new value
     */
    public void setSslSessionCacheEnabled(boolean sslSessionCacheEnabled) {
        this.sslSessionCacheEnabled = sslSessionCacheEnabled;
    }

    /** @return the {@code sslSessionCacheSize} option; see {@link #setSslSessionCacheSize} */
    public int getSslSessionCacheSize() {
        return sslSessionCacheSize;
    }

    /**
     * How many TLS sessions to keep per client identity.
     *
     * @param sslSessionCacheSize the new value
     */
    public void setSslSessionCacheSize(int sslSessionCacheSize) {
        this.sslSessionCacheSize = sslSessionCacheSize;
    }

    /** @return the {@code sslSessionTimeout} option; see {@link #setSslSessionTimeout} */
    public int getSslSessionTimeout() {
        return sslSessionTimeout;
    }

    /**
     * How long a cached TLS session may be resumed, in seconds.
     *
     * @param sslSessionTimeout the new value
     */
    public void setSslSessionTimeout(int sslSessionTimeout) {
        this.sslSessionTimeout = sslSessionTimeout;
    }

    /** @return the {@code poolEnabled} option; see {@link #setPoolEnabled} */
    public boolean isPoolEnabled() {
        return poolEnabled;
    }

    /**
     * Keep SMTP connections open across exchanges. When off, each exchange opens and closes its own connection.
     *
     * @param poolEnabled the new value
     */
    public void setPoolEnabled(boolean poolEnabled) {
        this.poolEnabled = poolEnabled;
    }

    /** @return the {@code poolMaxConnections} option; see {@link #setPoolMaxConnections} */
    public int getPoolMaxConnections() {
        return poolMaxConnections;
    }

    /**
     * The most connections open at once per client identity; more concurrent exchanges wait for one.
     *
     * @param poolMaxConnections the new value
     */
    public void setPoolMaxConnections(int poolMaxConnections) {
        this.poolMaxConnections = poolMaxConnections;
    }

    /** @return the {@code poolIdleTimeout} option; see {@link #setPoolIdleTimeout} */
    public long getPoolIdleTimeout() {
        return poolIdleTimeout;
    }

    /**
     * A pooled connection idle this long (milliseconds) is closed with QUIT.
     *
     * @param poolIdleTimeout the new value
     */
    public void setPoolIdleTimeout(long poolIdleTimeout) {
        this.poolIdleTimeout = poolIdleTimeout;
    }

    /** @return the {@code poolValidateAfterInactivity} option; see {@link #setPoolValidateAfterInactivity} */
    public long getPoolValidateAfterInactivity() {
        return poolValidateAfterInactivity;
    }

    /**
     * A pooled connection idle this long (milliseconds) is checked with NOOP before it carries a message.
     *
     * @param poolValidateAfterInactivity the new value
     */
    public void setPoolValidateAfterInactivity(long poolValidateAfterInactivity) {
        this.poolValidateAfterInactivity = poolValidateAfterInactivity;
    }

    /** @return the {@code maxMessagesPerConnection} option; see {@link #setMaxMessagesPerConnection} */
    public int getMaxMessagesPerConnection() {
        return maxMessagesPerConnection;
    }

    /**
     * After this many messages a connection is closed and replaced (servers often cap messages per connection).
     *
     * @param maxMessagesPerConnection the new value
     */
    public void setMaxMessagesPerConnection(int maxMessagesPerConnection) {
        this.maxMessagesPerConnection = maxMessagesPerConnection;
    }
}
