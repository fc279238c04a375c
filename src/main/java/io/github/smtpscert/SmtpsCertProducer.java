package io.github.smtpscert;

import io.github.smtpscert.pool.ConnectionPool;
import io.github.smtpscert.pool.ConnectionPool.Lease;
import io.github.smtpscert.pool.PoolExhaustedException;
import io.github.smtpscert.pool.SmtpConnection;
import io.github.smtpscert.tls.ClientIdentity;
import io.github.smtpscert.tls.TlsContexts;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the message, leases a connection for the exchange's identity and runs one SMTP transaction. A pooled
 * connection that turns out dead before MAIL FROM was answered is replaced transparently; any failure after that is
 * reported, never retried here, because the server may already hold the message.
 */
public class SmtpsCertProducer extends DefaultProducer {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpsCertProducer.class);

    public SmtpsCertProducer(SmtpsCertEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public SmtpsCertEndpoint getEndpoint() {
        return (SmtpsCertEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        SmtpsCertEndpoint endpoint = getEndpoint();
        MimeMessage message;
        ClientIdentity identity;
        try {
            message = endpoint.binding().createMessage(exchange, endpoint.mimeSession());
            message.saveChanges();
            identity = endpoint.identityFor(exchange);
        } catch (SmtpsCertConfigurationException | MessagingException e) {
            throw new SmtpsCertPermanentException("cannot build the mail: " + e.getMessage(), exchange, e, -1);
        }
        Address[] recipients = message.getAllRecipients();
        ConnectionPool<SmtpConnection> pool = endpoint.pool();
        if (pool == null) {
            sendUnpooled(exchange, endpoint, message, recipients, identity);
        } else {
            sendPooled(exchange, endpoint, pool, message, recipients, identity);
        }
        Message out = exchange.getMessage();
        out.setHeader(SmtpsCertConstants.MESSAGE_ID, message.getMessageID());
        endpoint.messageSent(identity);
    }

    private void sendPooled(Exchange exchange, SmtpsCertEndpoint endpoint, ConnectionPool<SmtpConnection> pool,
                            MimeMessage message, Address[] recipients, ClientIdentity identity) throws Exception {
        // all idle connections of an identity can die at once (server restart): replace up to the pool size of them;
        // a failure on a freshly opened connection is always reported
        int replacementsLeft = endpoint.getConfiguration().getPoolMaxConnections();
        while (true) {
            Lease<SmtpConnection> lease;
            try {
                lease = pool.lease(TlsContexts.keyOf(identity), () -> endpoint.connect(identity));
            } catch (MessagingException e) {
                throw SendFailures.connectFailed(exchange, e, endpoint.getConfiguration(), identity);
            } catch (PoolExhaustedException e) {
                throw new SmtpsCertTransientException(e.getMessage(), exchange, e, -1, false);
            } catch (IllegalStateException e) {
                if (!pool.isClosed()) {
                    throw e;
                }
                // the endpoint is stopping: nothing was sent
                throw new SmtpsCertTransientException("smtps-cert endpoint is stopping (" + e.getMessage()
                        + "); nothing was sent", exchange, e, -1, false);
            }
            SmtpConnection connection = lease.connection();
            boolean reused = lease.uses() > 0; // read before release() counts this use
            try {
                connection.send(message, recipients);
            } catch (MessagingException e) {
                boolean reusable = SendFailures.connectionStillUsable(e, connection);
                pool.release(lease, reusable);
                if (reused && replacementsLeft-- > 0 && SendFailures.lostBeforeTransaction(e, connection)) {
                    LOG.debug("pooled connection was closed by the server before MAIL FROM; sending on another one");
                    continue;
                }
                if (SendFailures.acceptedWithRejections(e, connection, endpoint.getConfiguration())) {
                    setOutcome(exchange, connection, (SendFailedException) e);
                    return;
                }
                throw SendFailures.sendFailed(exchange, e, connection);
            } catch (RuntimeException | Error e) {
                pool.release(lease, false);
                throw e;
            }
            pool.release(lease, true);
            setOutcome(exchange, connection, null);
            return;
        }
    }

    private void sendUnpooled(Exchange exchange, SmtpsCertEndpoint endpoint, MimeMessage message,
                              Address[] recipients, ClientIdentity identity) throws Exception {
        SmtpConnection connection;
        try {
            connection = endpoint.connect(identity);
        } catch (MessagingException e) {
            throw SendFailures.connectFailed(exchange, e, endpoint.getConfiguration(), identity);
        }
        try {
            connection.send(message, recipients);
            setOutcome(exchange, connection, null);
        } catch (MessagingException e) {
            if (SendFailures.acceptedWithRejections(e, connection, endpoint.getConfiguration())) {
                setOutcome(exchange, connection, (SendFailedException) e);
                return;
            }
            throw SendFailures.sendFailed(exchange, e, connection);
        } finally {
            connection.close();
        }
    }

    private static void setOutcome(Exchange exchange, SmtpConnection connection, SendFailedException partial) {
        Message out = exchange.getMessage();
        String presented = connection.handshake().presentedSubjectDn();
        if (presented != null) {
            out.setHeader(SmtpsCertConstants.CLIENT_CERTIFICATE, presented);
        } else {
            out.removeHeader(SmtpsCertConstants.CLIENT_CERTIFICATE);
        }
        out.setHeader(SmtpsCertConstants.SESSION_RESUMED, connection.handshake().resumed());
        if (partial != null) {
            out.setHeader(SmtpsCertConstants.REJECTED_RECIPIENTS,
                    SendFailures.rejectedRecipients(SendFailures.refusedRecipients(partial)));
        }
    }
}
