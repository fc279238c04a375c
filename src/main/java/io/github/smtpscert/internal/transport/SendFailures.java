package io.github.smtpscert.internal.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.net.ssl.SSLException;

import io.github.smtpscert.internal.tls.Identity;
import io.github.smtpscert.internal.tls.IdentitySource;
import io.github.smtpscert.internal.tls.UntrustedServerException;
import io.github.smtpscert.internal.transport.SmtpConnection.NoGreetingException;
import io.github.smtpscert.internal.transport.SmtpConnection.Stage;
import io.github.smtpscert.internal.transport.SmtpConnection.StartTlsRefusedException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/** Turns Angus Mail and JSSE failures into transient or permanent ones whose message says what to fix. */
final class SendFailures {

    private static final Pattern BAD_GREETING = Pattern.compile("^Got bad greeting.*response: (\\d{3})", Pattern.DOTALL);

    private static final int MAX_SERVER_TEXT = 300;

    private SendFailures() {
    }

    /** A failure while connecting, in TLS or at login: nothing of the message was sent. */
    static SendFailure connectFailed(MessagingException e, ServerSettings settings, Identity identity) {
        String server = settings.address();
        String text = allMessages(e);
        if (has(e, ReplyTooLongException.class)) {
            return replyTooLong(e, server);
        }
        if (e instanceof AuthenticationFailedException) {
            return permanent(e, "login at " + server + " failed (" + clip(e.getMessage())
                    + "). Fix: check username and password, or leave both unset if the relay authenticates by certificate");
        }
        StartTlsRefusedException refused = find(e, StartTlsRefusedException.class);
        if (refused != null) {
            String message = server + " refused STARTTLS: " + refused.getMessage() + ". Fix: ";
            return refused.replyCode() >= 500
                    ? SendFailure.permanent(message + "ask the server's operator to enable STARTTLS, or use the "
                            + "server's implicit TLS port with tlsMode=IMPLICIT (usually 465); there is no plaintext "
                            + "fall-back", e, refused.replyCode())
                    : SendFailure.retryable(message + "none if it passes (the reply says TLS is not available for "
                            + "now); if it repeats, ask the server's operator; there is no plaintext fall-back",
                            e, refused.replyCode());
        }
        if (text.contains("starttls is required")) {
            return permanent(e, server + " does not offer STARTTLS, which tlsMode=STARTTLS requires. "
                    + "Fix: use the server's implicit TLS port with tlsMode=IMPLICIT (usually 465); there is no plaintext fall-back");
        }
        // before the trust check: JSSE checks the name inside the trust manager, after the path is found valid
        if (text.contains("no subject alternative") || text.contains("no name matching")
            || text.contains("can't verify identity") || text.contains("unable to check server identity")) {
            return permanent(e, "the certificate of " + server + " does not name host '" + settings.host()
                    + "'. Fix: connect with a host name the certificate lists (verifyHostname=false turns the check off, insecure)");
        }
        UntrustedServerException untrusted = find(e, UntrustedServerException.class);
        if (untrusted != null && untrusted.outsideValidity()) {
            return permanent(e, "the certificate of " + server + " (" + untrusted.subject() + ") has expired or is not "
                    + "yet valid: " + untrusted.validity() + ". Fix: the server's operator must renew it (or check this "
                    + "machine's clock)");
        }
        if (untrusted != null || has(e, CertPathBuilderException.class) || has(e, CertPathValidatorException.class)
            || text.contains("pkix path") || text.contains("unable to find valid certification path")) {
            String what = untrusted == null ? "" : " (subject " + untrusted.subject() + ", issuer " + untrusted.issuer()
                    + ") is not trusted by " + untrusted.trustSource();
            return permanent(e, "the certificate of " + server + (what.isEmpty() ? " is not trusted" : what)
                    + ". Fix: set trustStore or trustCertificates to the CA that issued the server's certificate"
                    + (untrusted == null || untrusted.trustSource().startsWith("the JVM") ? ""
                       : ", or add that CA to " + untrusted.trustSource()));
        }
        if (text.contains("unrecognized ssl message") || text.contains("plaintext connection")) {
            if (!settings.implicitTls()) {
                return permanent(e, "tlsMode=STARTTLS: " + server + " accepted STARTTLS (220) but then did not start "
                        + "TLS: it answered the TLS handshake in plaintext. Fix: ask the server's operator to repair "
                        + "STARTTLS (something on the path may be intercepting it), or use the server's implicit TLS "
                        + "port with tlsMode=IMPLICIT (usually 465); there is no plaintext fall-back");
            }
            return permanent(e, "tlsMode=IMPLICIT: " + server + " does not speak TLS from the first byte. "
                    + "Fix: use tlsMode=STARTTLS for a STARTTLS port such as 587, or the server's implicit TLS port (465)");
        }
        if (text.contains("protocol_version") || text.contains("no appropriate protocol")) {
            return permanent(e, server + " and this client share no TLS version (protocols="
                    + settings.protocolsOption() + "). Fix: align protocols with the server; TLS 1.0/1.1 are insecure");
        }
        if (clientCertificateRefused(text)) {
            if (identity.isAnonymous()) {
                return permanent(e, server + " requires a TLS client certificate and none is configured. "
                        + "Fix: set one of " + IdentitySource.describeAll());
            }
            return permanent(e, server + " rejected the client certificate " + identity.name()
                    + ". Fix: make the server trust its issuer " + identity.certificate().getIssuerX500Principal().getName()
                    + " (and send the intermediates in certificateFile or the key store chain)");
        }
        if (has(e, UnknownHostException.class)) {
            return permanent(e, "unknown host '" + settings.host() + "'. Fix: check the host in the URI");
        }
        if (has(e, SSLException.class) && has(e, EOFException.class)) {
            // no alert, the server just hung up mid-handshake (overloaded, restarting): worth another try
            return SendFailure.retryable("cannot connect to " + server + ": the server closed the connection "
                    + "during the TLS handshake (" + rootMessage(e) + "). Fix: if this repeats, check that the server "
                    + "accepts protocols=" + settings.protocolsOption() + " and the client certificate", e, -1);
        }
        if (text.contains("handshake_failure")) {
            return permanent(e, "TLS with " + server + " failed: " + rootMessage(e) + ". Fix: the server may offer none "
                    + "of cipherSuites (by default TLS 1.3 and ECDHE AEAD suites only): add the suite it needs to them");
        }
        if (has(e, SSLException.class) || has(e, CertificateException.class)) {
            return permanent(e, "TLS with " + server + " failed: " + rootMessage(e));
        }
        int greeting = greetingCode(e);
        if (greeting >= 500) {
            return SendFailure.permanent(server + " refused the session: " + replyText(e)
                    + ". Fix: ask the server's operator why it turns this client away", e, greeting);
        }
        if (has(e, NoGreetingException.class) && !settings.implicitTls()) {
            return SendFailure.retryable("no SMTP greeting from " + server + " within " + settings.timeout() + " ms. "
                    + "Fix: if this port expects implicit TLS (465 usually does), set tlsMode=IMPLICIT; otherwise check "
                    + "that the server is not overloaded, or raise timeout", e, -1);
        }
        String reason;
        if (has(e, ConnectException.class)) {
            reason = "connection refused. Fix: check that the server listens on port " + settings.port()
                     + " and that no firewall is in between";
        } else if (has(e, SocketTimeoutException.class)) {
            reason = "timed out. Fix: check that the host and port are reachable from here; raise connectionTimeout or "
                     + "timeout if the server is slow";
        } else {
            reason = rootMessage(e).trim() + ". Fix: check that the server is up and reachable";
        }
        return SendFailure.retryable("cannot connect to " + server + ": " + reason, e, greeting);
    }

    /** After a failed transaction: may the connection carry another message? Only when the transaction ended cleanly. */
    static boolean connectionStillUsable(SmtpConnection connection) {
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
    static boolean acceptedWithRejections(MessagingException e, SmtpConnection connection, boolean sendPartial) {
        return sendPartial && e instanceof SendFailedException failed && connection.stage() == Stage.ACCEPTED
               && failed.getValidSentAddresses() != null && failed.getValidSentAddresses().length > 0;
    }

    static SendFailure sendFailed(MessagingException e, SmtpConnection connection, ServerSettings settings) {
        Stage stage = connection.stage();
        int code = replyCode(e);
        if (has(e, ReplyTooLongException.class) && stage != Stage.END_OF_DATA) {
            return replyTooLong(e, settings.address());
        }
        List<SMTPAddressFailedException> refused = refusedRecipients(e);
        if (stage == Stage.RCPT_TO && !refused.isEmpty()) {
            String rejected = rejectedRecipients(refused);
            // one permanent refusal is enough: sending the same recipients again cannot succeed
            SMTPAddressFailedException worst = refused.stream().filter(r -> r.getReturnCode() >= 500).findFirst()
                    .orElse(refused.get(0));
            return SendFailure.rejected("the server rejected recipient(s) " + clip(rejected) + " (" + clip(worst.getMessage())
                    + "); nothing was sent. Fix: correct the addresses, or set sendPartial=true to deliver to "
                    + "the accepted ones", e, worst.getReturnCode(), rejected);
        }
        if (stage == Stage.END_OF_DATA && code < 400) {
            return SendFailure.possiblyDelivered("the connection broke after the whole message was sent and before the "
                    + "server answered (" + rootMessage(e) + "); the server may have queued it, so it was not resent. "
                    + "Check the server's queue before retrying", e, code);
        }
        String where = "at " + stage.name().replace('_', ' ');
        if (code >= 500) {
            return SendFailure.permanent("the server refused the message " + where + ": " + reply(e), e, code);
        }
        String fix = code < 400 && has(e, SocketTimeoutException.class)
                ? ". Fix: the server is slow or stuck; raise timeout if it is only slow" : "";
        return SendFailure.retryable("sending failed " + where + ": " + (code >= 400 ? reply(e) : rootMessage(e)) + fix,
                e, code);
    }

    /** The recipients the server refused (4xx or 5xx), as Angus chains them. */
    static List<SMTPAddressFailedException> refusedRecipients(Throwable e) {
        List<SMTPAddressFailedException> refused = new ArrayList<>();
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

    /** Whether the failure says the server refused the client certificate (TLS alert or SMTP reply). */
    static boolean certificateRefused(Throwable e) {
        return clientCertificateRefused(allMessages(e));
    }

    private static boolean clientCertificateRefused(String text) {
        return text.contains("certificate_required") || text.contains("bad_certificate")
               || text.contains("no client certificate") || text.contains("client certificate not trusted")
               || text.contains("unknown_ca") || text.contains("certificate_unknown") || text.contains("access_denied");
    }

    private static SendFailure replyTooLong(MessagingException e, String server) {
        return permanent(e, "server reply too long from " + server + ": " + find(e, ReplyTooLongException.class).getMessage()
                + "; the connection was closed and nothing was sent. Fix: this is a broken or hostile server (or "
                + "something between it and this client); check that host and port name the relay you mean");
    }

    private static SendFailure permanent(MessagingException e, String message) {
        return SendFailure.permanent(message, e, replyCode(e));
    }

    /** Angus reports a refused greeting only as text ("Got bad greeting ... response: 554 ..."), so read the code there. */
    private static int greetingCode(MessagingException e) {
        for (Throwable t = e; t != null; t = next(t)) {
            Matcher m = BAD_GREETING.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }

    private static String replyText(MessagingException e) {
        return clip(e.getMessage());
    }

    /** Server text in our messages: a few hundred characters at most, so a hostile reply cannot flood the logs. */
    static String clip(String text) {
        String trimmed = String.valueOf(text).trim();
        return trimmed.length() <= MAX_SERVER_TEXT ? trimmed
                : trimmed.substring(0, MAX_SERVER_TEXT) + "... (" + trimmed.length() + " characters)";
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
                return clip(t.getMessage());
            }
        }
        return clip(e.getMessage());
    }

    static boolean has(Throwable e, Class<? extends Throwable> type) {
        return find(e, type) != null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
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
        return root.getClass().getSimpleName() + ": " + clip(root.getMessage());
    }

    /** MessagingException chains through getNextException as well as getCause. */
    private static Throwable next(Throwable t) {
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }
}
