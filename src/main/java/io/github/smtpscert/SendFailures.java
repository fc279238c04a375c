package io.github.smtpscert;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.SSLException;

import io.github.smtpscert.pool.SmtpConnection;
import io.github.smtpscert.pool.SmtpConnection.Stage;
import io.github.smtpscert.tls.ClientIdentity;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.apache.camel.Exchange;

/** Turns Angus Mail and JSSE failures into transient or permanent exceptions whose message says what to fix. */
final class SendFailures {

    private static final Pattern BAD_GREETING = Pattern.compile("^Got bad greeting.*response: (\\d{3})", Pattern.DOTALL);

    private SendFailures() {
    }

    /** A failure while connecting, in TLS or at login: nothing of the message was sent. */
    static SmtpsCertSendException connectFailed(Exchange exchange, MessagingException e, SmtpsCertConfiguration config,
                                                ClientIdentity identity) {
        String server = config.getHost() + ":" + config.effectivePort();
        String text = allMessages(e);
        if (e instanceof AuthenticationFailedException) {
            return permanent(exchange, e, "login at " + server + " failed (" + e.getMessage()
                    + "). Fix: check username and password, or leave both unset if the relay authenticates by certificate");
        }
        if (text.contains("starttls is required")) {
            return permanent(exchange, e, server + " does not offer STARTTLS, which tlsMode=STARTTLS requires. "
                    + "Fix: use the server's implicit TLS port with tlsMode=IMPLICIT (usually 465); there is no plaintext fall-back");
        }
        if (has(e, CertPathBuilderException.class) || has(e, CertPathValidatorException.class)
            || text.contains("pkix path") || text.contains("unable to find valid certification path")) {
            return permanent(exchange, e, "the certificate of " + server + " is not trusted. Fix: set trustStore or "
                    + "trustCertificates to the CA that issued the server's certificate");
        }
        if (text.contains("no subject alternative") || text.contains("no name matching")
            || text.contains("can't verify identity") || text.contains("unable to check server identity")) {
            return permanent(exchange, e, "the certificate of " + server + " does not name host '" + config.getHost()
                    + "'. Fix: connect with a host name the certificate lists (verifyHostname=false turns the check off, insecure)");
        }
        if (text.contains("unrecognized ssl message") || text.contains("plaintext connection")) {
            return permanent(exchange, e, "tlsMode=IMPLICIT: " + server + " does not speak TLS from the first byte. "
                    + "Fix: use tlsMode=STARTTLS for a STARTTLS port such as 587, or the server's implicit TLS port (465)");
        }
        if (text.contains("protocol_version") || text.contains("no appropriate protocol")) {
            return permanent(exchange, e, server + " and this client share no TLS version (protocols="
                    + config.getProtocols() + "). Fix: align protocols with the server; TLS 1.0/1.1 are insecure");
        }
        if (clientCertificateRefused(text)) {
            if (identity == null) {
                return permanent(exchange, e, server + " requires a TLS client certificate and none is configured. "
                        + "Fix: set keyStore, certificateFile + privateKeyFile, or clientCertificates");
            }
            return permanent(exchange, e, server + " rejected the client certificate " + identity.subjectDn()
                    + ". Fix: make the server trust its issuer " + identity.certificate().getIssuerX500Principal().getName()
                    + " (and send the intermediates in certificateFile or the key store chain)");
        }
        if (has(e, UnknownHostException.class)) {
            return permanent(exchange, e, "unknown host '" + config.getHost() + "'. Fix: check the host in the URI");
        }
        if (has(e, SSLException.class) && has(e, EOFException.class)) {
            // no alert, the server just hung up mid-handshake (overloaded, restarting): worth another try
            return new SmtpsCertTransientException("cannot connect to " + server + ": the server closed the connection "
                    + "during the TLS handshake (" + rootMessage(e) + "). Fix: if this repeats, check that the server "
                    + "accepts protocols=" + config.getProtocols() + " and the client certificate", exchange, e, -1, false);
        }
        if (has(e, SSLException.class) || has(e, CertificateException.class)) {
            return permanent(exchange, e, "TLS with " + server + " failed: " + rootMessage(e));
        }
        int greeting = greetingCode(e);
        if (greeting >= 500) {
            return permanent(exchange, e, server + " refused the session: " + e.getMessage().trim()
                    + ". Fix: ask the server's operator why it turns this client away", greeting);
        }
        String reason = has(e, ConnectException.class) ? "connection refused"
                : has(e, SocketTimeoutException.class) ? "timed out" : rootMessage(e);
        return new SmtpsCertTransientException("cannot connect to " + server + " (" + reason.trim() + ")", exchange, e,
                greeting, false);
    }

    /** After a failed transaction: may the connection carry another message? Only when the transaction ended cleanly. */
    static boolean connectionStillUsable(MessagingException e, SmtpConnection connection) {
        return connection.stage() == Stage.ACCEPTED && connection.isOpen();
    }

    /** The pooled connection was already gone when MAIL FROM went out: the server has nothing of the message. */
    static boolean lostBeforeTransaction(MessagingException e, SmtpConnection connection) {
        if (connection.stage() != Stage.MAIL_FROM && connection.stage() != Stage.IDLE) {
            return false;
        }
        int code = replyCode(e);
        return has(e, IOException.class) || code == -1 || code == 421;
    }

    /** sendPartial=true and the server took the message for some recipients. */
    static boolean acceptedWithRejections(MessagingException e, SmtpConnection connection, SmtpsCertConfiguration config) {
        return config.isSendPartial() && e instanceof SendFailedException failed && connection.stage() == Stage.ACCEPTED
               && failed.getValidSentAddresses() != null && failed.getValidSentAddresses().length > 0;
    }

    static SmtpsCertSendException sendFailed(Exchange exchange, MessagingException e, SmtpConnection connection) {
        Stage stage = connection.stage();
        int code = replyCode(e);
        List<SMTPAddressFailedException> refused = refusedRecipients(e);
        if (stage == Stage.RCPT_TO && !refused.isEmpty()) {
            String rejected = rejectedRecipients(refused);
            exchange.getMessage().setHeader(SmtpsCertConstants.REJECTED_RECIPIENTS, rejected);
            // one permanent refusal is enough: sending the same recipients again cannot succeed
            SMTPAddressFailedException worst = refused.stream().filter(r -> r.getReturnCode() >= 500).findFirst()
                    .orElse(refused.get(0));
            String message = "the server rejected recipient(s) " + rejected + " (" + worst.getMessage().trim()
                             + "); nothing was sent. Fix: correct the addresses, or set sendPartial=true to deliver to "
                             + "the accepted ones";
            return worst.getReturnCode() >= 500
                    ? new SmtpsCertPermanentException(message, exchange, e, worst.getReturnCode())
                    : new SmtpsCertTransientException(message, exchange, e, worst.getReturnCode(), false);
        }
        if (stage == Stage.END_OF_DATA && code < 400) {
            return new SmtpsCertTransientException("the connection broke after the whole message was sent and before the "
                    + "server answered (" + rootMessage(e) + "); the server may have queued it, so it was not resent. "
                    + "Check the server's queue before retrying", exchange, e, code, true);
        }
        String where = "at " + stage.name().replace('_', ' ');
        if (code >= 500) {
            return new SmtpsCertPermanentException("the server refused the message " + where + ": " + reply(e), exchange, e, code);
        }
        return new SmtpsCertTransientException("sending failed " + where + ": "
                + (code >= 400 ? reply(e) : rootMessage(e)), exchange, e, code, false);
    }

    /** The recipients the server refused (4xx or 5xx), as Angus chains them. */
    static List<SMTPAddressFailedException> refusedRecipients(Throwable e) {
        List<SMTPAddressFailedException> refused = new java.util.ArrayList<>();
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SMTPAddressFailedException a && !refused.contains(a)) {
                refused.add(a);
            }
        }
        return refused;
    }

    static String rejectedRecipients(List<SMTPAddressFailedException> refused) {
        return refused.stream().map(r -> r.getAddress().toString()).distinct().collect(Collectors.joining(", "));
    }

    private static boolean clientCertificateRefused(String text) {
        return text.contains("certificate_required") || text.contains("bad_certificate")
               || text.contains("no client certificate") || text.contains("client certificate not trusted")
               || text.contains("unknown_ca") || text.contains("certificate_unknown") || text.contains("access_denied");
    }

    private static SmtpsCertPermanentException permanent(Exchange exchange, MessagingException e, String message) {
        return permanent(exchange, e, message, replyCode(e));
    }

    private static SmtpsCertPermanentException permanent(Exchange exchange, MessagingException e, String message,
                                                         int code) {
        return new SmtpsCertPermanentException(message, exchange, e, code);
    }

    /** Angus reports a refused greeting only as text ("Got bad greeting ... response: 554 ..."), so read the code there. */
    private static int greetingCode(MessagingException e) {
        Matcher m = BAD_GREETING.matcher(String.valueOf(e.getMessage()));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    static int replyCode(Throwable e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SMTPSendFailedException s) {
                return s.getReturnCode();
            }
            if (t instanceof SMTPAddressFailedException a) {
                return a.getReturnCode();
            }
        }
        return -1;
    }

    private static String reply(MessagingException e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SMTPAddressFailedException || t instanceof SMTPSendFailedException) {
                return t.getMessage().trim();
            }
        }
        return e.getMessage();
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String allMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = next(t)) {
            all.append(t.getMessage()).append(' ');
        }
        return all.toString().toLowerCase(Locale.ROOT);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = next(t)) {
            root = t;
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** MessagingException chains through getNextException as well as getCause. */
    private static Throwable next(Throwable t) {
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }
}
