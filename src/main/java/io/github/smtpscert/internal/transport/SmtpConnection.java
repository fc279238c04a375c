package io.github.smtpscert.internal.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;

import javax.net.ssl.SSLSocket;

import io.github.smtpscert.internal.pool.Poolable;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * One connected, TLS-protected Angus SMTP transport, with the handshake it made and how far the current message got
 * into the SMTP transaction. The stage is what tells a safe retry (nothing sent) from an unsafe one (the final dot was
 * sent, so the server may have accepted the message).
 */
public final class SmtpConnection implements Poolable {

    /** How far the current SMTP transaction got. */
    public enum Stage {
        /** No MAIL FROM sent yet: the server has nothing of this message. */
        IDLE,
        MAIL_FROM,
        RCPT_TO,
        DATA,
        /** The final dot was sent; if no reply came, the server may have accepted the message. */
        END_OF_DATA,
        ACCEPTED
    }

    private final StageTrackingTransport transport;
    private final SSLSocket socket;
    private final HandshakeInfo handshake;

    private SmtpConnection(StageTrackingTransport transport, SSLSocket socket, HandshakeInfo handshake) {
        this.transport = transport;
        this.socket = socket;
        this.handshake = handshake;
    }

    /**
     * Connects and completes TLS (implicit or STARTTLS, as the session's properties say) and login if a user is given.
     *
     * @param protocol "smtps" for implicit TLS, "smtp" for STARTTLS
     */
    public static SmtpConnection open(Session session, String protocol, String host, int port, String user,
                                      String password) throws MessagingException {
        StageTrackingTransport transport = new StageTrackingTransport(session,
                new URLName(protocol, host, port, null, null, null), protocol, "smtps".equals(protocol));
        long start = System.currentTimeMillis();
        TrackingSocketFactory.takeLastSocket();
        GuardedSocket.connecting(true); // a TLS alert refusing the certificate must beat a broken pipe
        try {
            transport.connect(host, port, user, password);
        } catch (MessagingException | RuntimeException e) {
            TrackingSocketFactory.takeLastSocket(); // leave nothing behind for the next connect on this thread
            if (!transport.greeted && SendFailures.has(e, SocketTimeoutException.class)) {
                throw new NoGreetingException(e);
            }
            throw e;
        } finally {
            GuardedSocket.connecting(false);
        }
        SSLSocket socket = TrackingSocketFactory.takeLastSocket();
        if (socket == null) {
            closeQuietly(transport);
            throw new MessagingException("the connection to " + host + ":" + port + " is not protected by TLS");
        }
        return new SmtpConnection(transport, socket, HandshakeInfo.of(socket.getSession(), start));
    }

    public HandshakeInfo handshake() {
        return handshake;
    }

    public Stage stage() {
        return transport.stage;
    }

    /** Runs one SMTP transaction. The stage says how far it got when this throws. */
    public void send(MimeMessage message, Address[] recipients) throws MessagingException {
        transport.stage = Stage.IDLE;
        transport.sendMessage(message, recipients);
        transport.stage = Stage.ACCEPTED;
    }

    @Override
    public boolean isOpen() {
        return !socket.isClosed() && !socket.isInputShutdown() && !socket.isOutputShutdown();
    }

    @Override
    public boolean validate() {
        return transport.isConnected(); // sends NOOP
    }

    @Override
    public void close() {
        closeQuietly(transport);
    }

    private static void closeQuietly(SMTPTransport transport) {
        try {
            transport.close(); // QUIT
        } catch (MessagingException | RuntimeException e) {
            // the connection is going away either way
        }
    }

    /** Timed out before the server's greeting: often a STARTTLS client on an implicit-TLS port. */
    static final class NoGreetingException extends MessagingException {
        NoGreetingException(Exception cause) {
            super("no SMTP greeting", cause);
        }
    }

    /** The server answered STARTTLS with something other than 220; Angus keeps only the reply's text. */
    static final class StartTlsRefusedException extends MessagingException {
        private final int replyCode;

        StartTlsRefusedException(int replyCode, String reply, Exception cause) {
            super(reply, cause);
            this.replyCode = replyCode;
        }

        int replyCode() {
            return replyCode;
        }
    }

    /** Angus's transport with hooks that record the SMTP stage reached. */
    private static final class StageTrackingTransport extends SMTPTransport {
        private volatile Stage stage = Stage.IDLE;
        private boolean greeted; // the server's 220 arrived (EHLO follows it)

        StageTrackingTransport(Session session, URLName url, String name, boolean ssl) {
            super(session, url, name, ssl);
        }

        /**
         * Angus ignores the reply to the EHLO it sends after STARTTLS (and answers a refused EHLO with HELO); a 421 means
         * the server is closing the session, e.g. because it refused the client certificate, so report it here rather
         * than as a broken pipe at MAIL FROM.
         */
        @Override
        protected boolean ehlo(String domain) throws MessagingException {
            greeted = true;
            boolean accepted = super.ehlo(domain);
            if (!accepted && getLastReturnCode() == 421) {
                throw new MessagingException("the server closed the session: " + getLastServerResponse().trim());
            }
            return accepted;
        }

        @Override
        protected void startTLS() throws MessagingException {
            try {
                super.startTLS();
            } catch (MessagingException e) {
                // a refusal has no cause; a failure to send, to read or in the TLS handshake has one
                int code = getLastReturnCode();
                if (e.getNextException() == null && code >= 100 && code != 220) {
                    throw new StartTlsRefusedException(code, getLastServerResponse().trim(), e);
                }
                throw e;
            }
        }

        @Override
        protected void mailFrom() throws MessagingException {
            stage = Stage.MAIL_FROM;
            super.mailFrom();
        }

        @Override
        protected void rcptTo() throws MessagingException {
            stage = Stage.RCPT_TO;
            super.rcptTo();
        }

        @Override
        protected OutputStream data() throws MessagingException {
            stage = Stage.DATA;
            return super.data();
        }

        @Override
        protected void finishData() throws IOException, MessagingException {
            stage = Stage.END_OF_DATA;
            super.finishData();
            stage = Stage.ACCEPTED;
        }
    }
}
